import type { StoredKey } from '../db/keys.repo';

/**
 * The expiry-policy rule, shared by the preview and the apply step so their
 * numbers cannot drift apart: a live key whose expiry is absent or later than
 * `createdAt + maxLifetimeDays` gets exactly that instant; if the instant is
 * not after `now`, the key expires at once (revoked, reason `policy`).
 * A shorter expiry a user chose stays.
 */
export const DAY_MS = 24 * 60 * 60_000;

export type PolicyEffect = 'unchanged' | 'changed' | 'expireNow';

export const policyCap = (createdAt: Date, maxLifetimeDays: number) => new Date(createdAt.getTime() + maxLifetimeDays * DAY_MS);

/** `key` must be live at `now` (not revoked, not expired): dead keys are never touched. */
export function policyEffect(key: Pick<StoredKey, 'createdAt' | 'expiresAt'>, maxLifetimeDays: number, now: Date): PolicyEffect {
  const cap = policyCap(key.createdAt, maxLifetimeDays);
  if (key.expiresAt !== null && key.expiresAt <= cap) return 'unchanged';
  return cap <= now ? 'expireNow' : 'changed';
}
