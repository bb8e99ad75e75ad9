import type { StoredKey } from '../db/keys.repo';
import { badRequest } from '../errors';
import { DAY_MS } from '../../shared/time';

/**
 * The team's key lifetime cap, in one place: the latest expiry a key created at `createdAt` may
 * have under `maxLifetimeDays` (null: no cap). New keys (keys.service), replacements
 * (rotation.service), the policy's apply step and its preview all use it.
 */
export function lifetimeCap(createdAt: Date, maxLifetimeDays: number | null): Date | null {
  return maxLifetimeDays ? new Date(createdAt.getTime() + maxLifetimeDays * DAY_MS) : null;
}

/** A bound on a new key's lifetime and where it comes from (the refusal names it). */
export interface LifetimeLimit {
  days: number | null;
  by: 'policy' | 'approval';
}

const tightest = (limits: LifetimeLimit[]): (LifetimeLimit & { days: number }) | null =>
  limits.reduce<(LifetimeLimit & { days: number }) | null>((best, l) => (l.days !== null && (!best || l.days < best.days) ? { ...l, days: l.days } : best), null);

const earliest = (a: Date | null, b: Date | null): Date | null => (a && b ? (a <= b ? a : b) : (a ?? b));

/** The one wording of a lifetime past its cap. */
function overCap(field: 'expiresInDays' | 'expiresAt', limit: LifetimeLimit & { days: number }) {
  const days = `${limit.days} day${limit.days === 1 ? '' : 's'}`;
  return badRequest(limit.by === 'policy' ? `${field}: your team's policy allows keys of at most ${days}.` : `${field}: the approval of this key allows at most ${days}.`);
}

/**
 * A new key's expiry: what was asked for (days, or an instant), refused with a 400 naming the
 * tightest limit when it lies past the cap, since a quietly shorter key than asked for surprises
 * whoever relies on it; asked for nothing, the cap itself (no cap: the key never expires).
 * A member redeeming an approval of N days may ask for less, never for more.
 */
export function newKeyExpiry(createdAt: Date, asked: { days?: number; at?: Date }, limits: LifetimeLimit[]): Date | null {
  const limit = tightest(limits);
  const cap = limit ? lifetimeCap(createdAt, limit.days) : null;
  if (asked.days !== undefined) {
    const at = new Date(createdAt.getTime() + asked.days * DAY_MS);
    if (limit && cap && at > cap) throw overCap('expiresInDays', limit);
    return at;
  }
  if (asked.at !== undefined) {
    if (asked.at <= createdAt) throw badRequest('expiresAt: must be in the future.');
    if (limit && cap && asked.at > cap) throw overCap('expiresAt', limit);
    return asked.at;
  }
  return cap;
}

/** A lifetime asked for ahead of the key (a key request, its approval), checked as keys.create will. */
export function checkLifetimeDays(days: number | null | undefined, limits: LifetimeLimit[]): void {
  if (days !== null && days !== undefined) newKeyExpiry(new Date(0), { days }, limits);
}

/**
 * A rotated key's replacement keeps its predecessor's lifetime (`expiresAt − createdAt`; a key
 * that never expired gives none), capped like any new key: rotating never lengthens a key's life.
 */
export function replacementExpiry(previous: Pick<StoredKey, 'createdAt' | 'expiresAt'>, createdAt: Date, maxLifetimeDays: number | null): Date | null {
  const kept = previous.expiresAt ? new Date(createdAt.getTime() + (previous.expiresAt.getTime() - previous.createdAt.getTime())) : null;
  return earliest(kept, lifetimeCap(createdAt, maxLifetimeDays));
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
