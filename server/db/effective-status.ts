import type { Filter } from 'mongodb';
import type { KeyRow, KeyStatus } from '../../shared/schemas/key';
import type { KeyDoc } from './collections';

/**
 * The one home of "effective status": a key past its expiry counts as revoked (reason `expired`)
 * from its expiry instant on, whatever its stored status, until a pass records it. The in-memory
 * check (services, verify) and the query filter (repos) live together so they cannot drift
 * apart; test/server/effective-status.test.ts checks that they agree on every case. Services
 * may import this one module from server/db (eslint.config.js).
 */

type StatusFields = Pick<KeyDoc, 'status' | 'expiresAt'>;

/** Whether the key's expiry has come (an expiry equal to `now` has). */
export const isExpired = (key: Pick<KeyDoc, 'expiresAt'>, now: Date): boolean => key.expiresAt !== null && key.expiresAt <= now;

/** The status a key shows and verifies with at `now`, and why it is revoked when it is. */
export function effectiveStatus(key: StatusFields & { revokedReason: KeyDoc['revokedReason'] }, now: Date): Pick<KeyRow, 'status' | 'revokedReason'> {
  if (key.status === 'revoked') return { status: 'revoked', revokedReason: key.revokedReason ?? 'manual' };
  if (isExpired(key, now)) return { status: 'revoked', revokedReason: 'expired' };
  return { status: key.status, revokedReason: null };
}

/** Why verify refuses the key at `now`: a stored revocation first, then expiry, then a disable; null when it works. */
export function verifyRefusal(key: StatusFields, now: Date): 'REVOKED' | 'EXPIRED' | 'DISABLED' | null {
  if (key.status === 'revoked') return 'REVOKED';
  if (isExpired(key, now)) return 'EXPIRED';
  return key.status === 'disabled' ? 'DISABLED' : null;
}

const notExpired = (now: Date): Filter<KeyDoc>[] => [{ expiresAt: null }, { expiresAt: { $gt: now } }];

/** The keys whose effective status at `now` is `status`. */
export function effectiveStatusFilter(status: KeyStatus, now: Date): Filter<KeyDoc> {
  if (status === 'revoked') return { $or: [{ status: 'revoked' }, { expiresAt: { $lte: now } }] };
  return { status, $or: notExpired(now) };
}

/** Keys that still work at `now` or could again (effective status enabled or disabled). */
export function liveFilter(now: Date): Filter<KeyDoc> {
  return { status: { $ne: 'revoked' }, $or: notExpired(now) };
}

/** Stored status not revoked, as `$in` rather than `$ne: 'revoked'` so a real MongoDB can use the (status, expiresAt) indexes. */
export const NOT_REVOKED = { $in: ['enabled', 'disabled'] as ('enabled' | 'disabled')[] };
