import { createPublicKey, verify, type KeyObject } from 'node:crypto';

/**
 * GitHub's secret-scanning signing keys, fetched from the meta endpoint
 * (`{ public_keys: [{ key_identifier, key, is_current }] }`, keys in PEM) and
 * cached. An identifier not in the cache triggers one re-fetch, at most once a
 * minute, so a flood of made-up identifiers cannot make this server hammer
 * GitHub. A signature is a base64 DER ECDSA (P-256, SHA-256) over the raw body.
 */
export const DEFAULT_GITHUB_KEYS_URL = 'https://api.github.com/meta/public_keys/secret_scanning';
const REFETCH_INTERVAL_MS = 60_000;
const FETCH_TIMEOUT_MS = 5000;

type KeyList = { public_keys?: { key_identifier?: unknown; key?: unknown }[] };

export function gitHubKeyring(url: string = DEFAULT_GITHUB_KEYS_URL, log: { error(msg: string, err?: unknown): void }, clock: () => number = Date.now) {
  let keys = new Map<string, KeyObject>();
  let lastFetch: number | null = null;
  let inFlight: Promise<void> | null = null;

  async function refresh(): Promise<void> {
    lastFetch = clock();
    try {
      const res = await fetch(url, { headers: { accept: 'application/json', 'user-agent': 'keywarden' }, signal: AbortSignal.timeout(FETCH_TIMEOUT_MS) });
      if (!res.ok) throw new Error(`HTTP ${res.status}`);
      const body = (await res.json()) as KeyList;
      const next = new Map<string, KeyObject>();
      for (const k of body.public_keys ?? []) {
        if (typeof k.key_identifier !== 'string' || typeof k.key !== 'string') continue;
        try {
          next.set(k.key_identifier, createPublicKey(k.key));
        } catch {
          // One unreadable key must not cost the others.
        }
      }
      keys = next;
    } catch (err) {
      log.error(`fetching GitHub's secret-scanning keys from ${url} failed`, err);
    }
  }

  async function keyFor(identifier: string): Promise<KeyObject | null> {
    const known = keys.get(identifier);
    if (known) return known;
    if (lastFetch === null || clock() - lastFetch >= REFETCH_INTERVAL_MS) {
      inFlight ??= refresh().finally(() => (inFlight = null));
      await inFlight;
    } else if (inFlight) await inFlight;
    return keys.get(identifier) ?? null;
  }

  return {
    /** Whether `signature` (base64) is a valid signature of `body` by the key named `identifier`. */
    async verify(body: Buffer, identifier: string | undefined, signature: string | undefined): Promise<boolean> {
      if (!identifier || !signature || identifier.length > 200 || signature.length > 500) return false;
      const key = await keyFor(identifier);
      if (!key) return false;
      try {
        return verify('sha256', body, key, Buffer.from(signature, 'base64'));
      } catch {
        return false;
      }
    },
  };
}
export type GitHubKeyring = ReturnType<typeof gitHubKeyring>;
