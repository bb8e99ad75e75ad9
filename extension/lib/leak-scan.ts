import { KEY_CHECKSUM_LENGTH, KEY_PREFIX, KEY_RANDOM_LENGTH, keyHint, parseKey } from '../../shared/key-format';

/**
 * What the leak guard's content script runs in a page: finding keys offline and
 * wording the warning. Pure and small (no storage, no API client), so the
 * script injected into pages carries nothing else.
 */
export const LEAK_FOUND = 'keywarden:leak-found';
export interface LeakFoundMessage {
  type: typeof LEAK_FOUND;
  keys: string[];
}
export const isLeakFoundMessage = (m: unknown): m is LeakFoundMessage =>
  typeof m === 'object' && m !== null && (m as { type?: unknown }).type === LEAK_FOUND && Array.isArray((m as { keys?: unknown }).keys);

const CANDIDATE = new RegExp(`${KEY_PREFIX}[0-9A-Za-z]{${KEY_RANDOM_LENGTH + KEY_CHECKSUM_LENGTH}}(?![0-9A-Za-z])`, 'g');

/** Every distinct Keywarden key in `text` whose checksum holds (a typo or a look-alike is not one). */
export function findKeys(text: string): string[] {
  const found = new Set<string>();
  for (const match of text.matchAll(CANDIDATE)) {
    const start = match.index ?? 0;
    // Part of a longer token (say, `xkw_…`) is not a key either.
    if (start > 0 && /[0-9A-Za-z_]/.test(text[start - 1]!)) continue;
    if (parseKey(match[0]).ok) found.add(match[0]);
  }
  return [...found];
}

/** The warning's text: the key's hint only, never the key itself. */
export function warningText(keys: string[]): string {
  const hints = keys.slice(0, 3).map(keyHint).join(', ');
  const more = keys.length > 3 ? ` and ${keys.length - 3} more` : '';
  return `Keywarden: ${keys.length === 1 ? 'an API key is' : `${keys.length} API keys are`} visible on this page (${hints}${more}). Anyone who can see this page can use ${keys.length === 1 ? 'it' : 'them'}.`;
}

