import type { StoredKey } from '../db/keys.repo';
import { DAY_MS } from '../../shared/time';

/**
 * The team's key lifetime cap, in one place: the latest expiry a key created at `createdAt` may
 * have under `maxLifetimeDays` (null: no cap). New keys (keys.service), the policy's apply step
 * and its preview all use it.
 */
export function lifetimeCap(createdAt: Date, maxLifetimeDays: number | null): Date | null {
  return maxLifetimeDays ? new Date(createdAt.getTime() + maxLifetimeDays * DAY_MS) : null;
}

/**
 * The expiry-policy rule, shared by the preview and the apply step so their
 * numbers cannot drift apart: a live key whose expiry is absent or later than
 * `createdAt + maxLifetimeDays` gets exactly that instant; if the instant is
 * not after `now`, the key expires at once (revoked, reason `policy`).
 * A shorter expiry a user chose stays.
 */

export type PolicyEffect = 'unchanged' | 'changed' | 'expireNow';

export const policyCap = (createdAt: Date, maxLifetimeDays: number): Date => lifetimeCap(createdAt, maxLifetimeDays)!;

/** `key` must be live at `now` (not revoked, not expired): dead keys are never touched. */
export function policyEffect(key: Pick<StoredKey, 'createdAt' | 'expiresAt'>, maxLifetimeDays: number, now: Date): PolicyEffect {
  const cap = policyCap(key.createdAt, maxLifetimeDays);
  if (key.expiresAt !== null && key.expiresAt <= cap) return 'unchanged';
  return cap <= now ? 'expireNow' : 'changed';
}
