import { keyHint } from '../../shared/key-format';

/** Keys and team API tokens (`kwt_…`) alike: a page must show neither. */
export { findSecretsOfAnyKind as findKeys } from '../../shared/key-format';

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

/** The warning's text: the key's hint only, never the key itself. */
export function warningText(keys: string[]): string {
  const hints = keys.slice(0, 3).map(keyHint).join(', ');
  const more = keys.length > 3 ? ` and ${keys.length - 3} more` : '';
  return `Keywarden: ${keys.length === 1 ? 'an API key is' : `${keys.length} API keys are`} visible on this page (${hints}${more}). Anyone who can see this page can use ${keys.length === 1 ? 'it' : 'them'}.`;
}

