import { storage } from 'wxt/utils/storage';
export { findKeys, isLeakFoundMessage, LEAK_FOUND, warningText, type LeakFoundMessage } from './leak-scan';

/**
 * The leak guard (opt-in): on sites the user chose, and granted the extension
 * access to, a content script looks for Keywarden keys in the page's text and
 * in pasted text, offline (prefix plus a valid checksum). It warns in the page
 * and tells the worker only the keys it found; the worker asks the user's own
 * server about them and offers "Revoke now" / "Report as leaked". Page text
 * never leaves the browser.
 */

/** The sites the user chose, as origins (`https://example.com`). Access is granted per origin, when added. */
export const leakGuardSitesItem = storage.defineItem<string[]>('local:leakGuardSites', { fallback: [] });

/** A found key waiting on its desktop notification's buttons; memory only, like the confirm window's. */
export interface LeakPending {
  key: string;
  url: string;
  teamId: string | null;
  buttons: ('revoke' | 'report')[];
}
export const LEAK_GUARD_SCRIPT_ID = 'keywarden-leak-guard';

export const leakPendingItem = storage.defineItem<Record<string, LeakPending>>('session:leakPending', { fallback: {} });

/** `https://example.com/any/path` or `example.com` -> `https://example.com`; null when it is not a web address. */
export function siteOrigin(input: string): string | null {
  const text = input.trim();
  try {
    const url = new URL(/^[a-z]+:\/\//i.test(text) ? text : `https://${text}`);
    return url.protocol === 'http:' || url.protocol === 'https:' ? url.origin : null;
  } catch {
    return null;
  }
}

/** The match pattern for an origin's pages (a port is part of the pattern only when the origin has one). */
export const originPattern = (origin: string) => `${origin}/*`;

/** What the worker needs from the browser to keep the registered content script in step with the chosen, granted sites. */
export interface GuardScripting {
  granted(origins: string[]): Promise<string[]>;
  registered(): Promise<string[] | null>;
  register(matches: string[]): Promise<void>;
  update(matches: string[]): Promise<void>;
  unregister(): Promise<void>;
}

/**
 * Registers the content script for exactly the chosen sites the user granted
 * access to; with none, none is registered, so nothing is injected anywhere.
 */
export async function syncLeakGuard(sites: string[], scripting: GuardScripting, serverUrl: string | null): Promise<string[]> {
  // The user's own Keywarden server is never guarded: its pages show keys on purpose.
  const server = serverUrl ? siteOrigin(serverUrl) : null;
  const wanted = (await scripting.granted(sites.filter((s) => s !== server))).map(originPattern).sort();
  const current = await scripting.registered();
  if (wanted.length === 0) {
    if (current) await scripting.unregister();
  } else if (!current) await scripting.register(wanted);
  else if (current.slice().sort().join() !== wanted.join()) await scripting.update(wanted);
  return wanted;
}
