import { keyHint } from '../../shared/key-format';
import type { StoredKey } from '../db/keys.repo';
import { newId } from './ids';

/**
 * A new stored key for a plaintext value: the public id, the display hint and
 * the bookkeeping fields. Keys in a non-enabled state (seeds, tests, bench) get
 * a `manual` reason.
 */
export function newStoredKey(
  value: string,
  k: { teamId: string; ownerId: string; name: string; createdAt: Date; expiresAt: Date | null; status?: StoredKey['status']; lastUsedAt?: Date | null; revokedBy?: string | null },
): StoredKey {
  const status = k.status ?? 'enabled';
  return {
    id: newId('key'),
    teamId: k.teamId,
    ownerId: k.ownerId,
    name: k.name,
    hint: keyHint(value),
    status,
    disabledReason: status === 'disabled' ? 'manual' : null,
    revokedReason: status === 'revoked' ? 'manual' : null,
    revokedAt: status === 'revoked' ? k.createdAt : null,
    revokedBy: status === 'revoked' ? (k.revokedBy ?? null) : null,
    actionId: null,
    createdAt: k.createdAt,
    expiresAt: k.expiresAt,
    lastUsedAt: k.lastUsedAt ?? null,
  };
}
