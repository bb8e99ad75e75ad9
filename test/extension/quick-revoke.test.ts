import { describe, expect, it, vi } from 'vitest';
import { revokePending } from '../../extension/lib/quick-revoke';
import type { PendingRevoke } from '../../extension/lib/storage';

const pending = (admin: boolean): PendingRevoke => ({
  id: 'p1',
  teamId: 'team_a',
  teamName: 'Alpha',
  admin,
  key: { id: 'key_1', name: 'ci', hint: 'kw_AbCd…wxyz', status: 'enabled', ownerEmail: 'm@example.test', expiresAt: null },
});

function fakeApi() {
  return {
    keys: {
      revoke: { mutate: vi.fn(async () => ({ revoked: ['key_1'], alreadyRevoked: [], notFound: [] })) },
      revokeOwn: { mutate: vi.fn(async () => ({ revoked: [], alreadyRevoked: ['key_1'], notFound: [], row: null })) },
    },
  };
}

describe('a confirmed quick revoke', () => {
  it('uses the team-wide keys.revoke for an admin', async () => {
    const api = fakeApi();
    await expect(revokePending(api as never, pending(true))).resolves.toBe('revoked');
    expect(api.keys.revoke.mutate).toHaveBeenCalledWith({ teamId: 'team_a', keyIds: ['key_1'] });
    expect(api.keys.revokeOwn.mutate).not.toHaveBeenCalled();
  });

  it('uses keys.revokeOwn for a member, and reports a key already revoked', async () => {
    const api = fakeApi();
    await expect(revokePending(api as never, pending(false))).resolves.toBe('already_revoked');
    expect(api.keys.revokeOwn.mutate).toHaveBeenCalledWith({ teamId: 'team_a', keyId: 'key_1' });
  });
});
