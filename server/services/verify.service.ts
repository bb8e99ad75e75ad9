import { parseKey } from '../../shared/key-format';
import type { VerifyFailureCode } from '../../shared/schemas/key';
import type { Deps } from '../deps';
import type { KeysRepo } from '../db/keys.repo';
import { hashKey } from '../lib/ids';

/**
 * The verify hot path: checksum first (no database for junk), then one `_id`
 * look-up. "Last used" is recorded off the critical path, at most once per key
 * per minute per instance, and the conditional write makes it at most once per
 * minute across instances; a failure to record it never fails a verification.
 */
export const LAST_USED_INTERVAL_MS = 60_000;

export type VerifyResult =
  | { valid: true; keyId: string; teamId: string; ownerId: string; expiresAt: Date | null }
  | { valid: false; code: VerifyFailureCode };

export function verifyService(deps: Deps, repos: { keys: KeysRepo }) {
  /** hash -> when this instance last wrote (or skipped writing) lastUsedAt. */
  const lastTouched = new Map<string, number>();
  let pendingWrites = 0;

  function recordUse(hash: string, storedLastUsed: Date | null, now: Date) {
    const t = now.getTime();
    const local = lastTouched.get(hash);
    if (local !== undefined && t - local < LAST_USED_INTERVAL_MS) return;
    if (storedLastUsed && t - storedLastUsed.getTime() < LAST_USED_INTERVAL_MS) {
      lastTouched.set(hash, storedLastUsed.getTime());
      return;
    }
    lastTouched.set(hash, t);
    if (lastTouched.size > 100_000) lastTouched.clear();
    pendingWrites++;
    setImmediate(() => {
      repos.keys
        .touchLastUsed(hash, now, LAST_USED_INTERVAL_MS)
        .catch((err) => {
          lastTouched.delete(hash);
          deps.log.error('recording last use failed', err);
        })
        .finally(() => pendingWrites--);
    });
  }

  return {
    async verify(value: string): Promise<VerifyResult> {
      const parsed = parseKey(value);
      if (!parsed.ok) return { valid: false, code: 'MALFORMED' };
      const hash = hashKey(deps.pepper, parsed.key);
      const key = await repos.keys.findForVerify(hash);
      if (!key) return { valid: false, code: 'NOT_FOUND' };
      if (key.status === 'revoked') return { valid: false, code: 'REVOKED' };
      const now = deps.now();
      if (key.expiresAt && key.expiresAt <= now) return { valid: false, code: 'EXPIRED' };
      if (key.status === 'disabled') return { valid: false, code: 'DISABLED' };
      recordUse(hash, key.lastUsedAt, now);
      return { valid: true, keyId: key.id, teamId: key.teamId, ownerId: key.ownerId, expiresAt: key.expiresAt };
    },

    /** For graceful shutdown and tests: resolves once queued last-used writes are done. */
    async flush(): Promise<void> {
      while (pendingWrites > 0) await new Promise((r) => setTimeout(r, 5));
    },
  };
}
export type VerifyService = ReturnType<typeof verifyService>;
