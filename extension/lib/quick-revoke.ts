import type { Api } from './api';
import type { PendingRevoke } from './storage';

/**
 * Carries out a confirmed quick revoke: admins use the team-wide keys.revoke,
 * members keys.revokeOwn (which only ever touches their own keys).
 */
export async function revokePending(api: Pick<Api, 'keys'>, pending: PendingRevoke): Promise<'revoked' | 'already_revoked' | 'not_found'> {
  if (pending.admin) {
    const result = await api.keys.revoke.mutate({ teamId: pending.teamId, keyIds: [pending.key.id] });
    if (result.revoked.length > 0) return 'revoked';
    return result.alreadyRevoked.length > 0 ? 'already_revoked' : 'not_found';
  }
  const result = await api.keys.revokeOwn.mutate({ teamId: pending.teamId, keyId: pending.key.id });
  return result.revoked.length > 0 ? 'revoked' : 'already_revoked';
}
