import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TRPCClientError } from '@trpc/client';
import { createTeam, errorCode, startTestServer, type TestServer } from '../helpers/harness';
import { auditOf, storedKey } from '../helpers/fixtures';
import { HOUR, seedKey, verifyKey } from '../helpers/keys';

/** Revoke one / many / all, disable and enable: results, recorded fields, verification and audit. */
let server: TestServer;
beforeAll(async () => {
  server = await startTestServer({ label: 'admin-revoke' });
});
afterAll(() => server.close());

// The recorded fields (revokedBy, the stored status of an expired key) are what these tests check.
const stored = (teamId: string, id: string) => storedKey(server, teamId, id);
const auditOfAction = (teamId: string, action: 'key.revoked' | 'key.disabled' | 'key.enabled') => auditOf(server, teamId, action);

describe('keys.revoke', () => {
  it('revokes one key with reason manual, records who and when, and the key fails verification at once', async () => {
    const team = await createTeam(server);
    const owner = await team.addUser('owner');
    const key = await seedKey(server, { teamId: team.teamId, ownerId: owner.userId });
    expect((await verifyKey(server, key.value)).valid).toBe(true);
    const before = Date.now();
    const res = await team.admin.api.keys.revoke.mutate({ teamId: team.teamId, keyIds: [key.id] });
    expect(res).toEqual({ revoked: [key.id], alreadyRevoked: [], notFound: [] });
    const doc = (await stored(team.teamId, key.id))!;
    expect(doc).toMatchObject({ status: 'revoked', revokedReason: 'manual', revokedBy: team.admin.userId });
    expect(doc.revokedAt!.getTime()).toBeGreaterThanOrEqual(before - 1000);
    expect(await verifyKey(server, key.value)).toEqual({ valid: false, code: 'REVOKED' });
    const [audit] = await auditOfAction(team.teamId, 'key.revoked');
    expect(audit).toMatchObject({ actor: { userId: team.admin.userId, role: 'super_admin' }, targets: { ids: [key.id], count: 1 } });
  });

  it('reports a mix of enabled, disabled, revoked, expired, unknown and other-team ids correctly', async () => {
    const team = await createTeam(server);
    const other = await createTeam(server, 'Other');
    const owner = team.admin.userId;
    const enabled = await seedKey(server, { teamId: team.teamId, ownerId: owner });
    const disabled = await seedKey(server, { teamId: team.teamId, ownerId: owner, status: 'disabled' });
    const revoked = await seedKey(server, { teamId: team.teamId, ownerId: owner, status: 'revoked' });
    const expired = await seedKey(server, { teamId: team.teamId, ownerId: owner, expiresAt: new Date(Date.now() - HOUR) });
    const foreign = await seedKey(server, { teamId: other.teamId, ownerId: other.admin.userId });
    const res = await team.admin.api.keys.revoke.mutate({
      teamId: team.teamId,
      keyIds: [enabled.id, disabled.id, revoked.id, expired.id, 'key_doesnotexist', foreign.id, enabled.id],
    });
    expect(res.revoked.sort()).toEqual([enabled.id, disabled.id].sort());
    expect(res.alreadyRevoked.sort()).toEqual([revoked.id, expired.id].sort());
    expect(res.notFound.sort()).toEqual(['key_doesnotexist', foreign.id].sort());
    expect((await stored(team.teamId, enabled.id))!.revokedReason).toBe('bulk');
    expect((await stored(team.teamId, revoked.id))!.revokedReason).toBe('manual');
    expect((await stored(team.teamId, expired.id))!.status).toBe('enabled');
    expect((await stored(other.teamId, foreign.id))!.status).toBe('enabled');
    const audits = await auditOfAction(team.teamId, 'key.revoked');
    expect(audits).toHaveLength(1);
    expect(audits[0]!.targets.count).toBe(2);
  });

  it('is idempotent: revoking again changes nothing and writes no audit record', async () => {
    const team = await createTeam(server);
    const key = await seedKey(server, { teamId: team.teamId, ownerId: team.admin.userId });
    await team.admin.api.keys.revoke.mutate({ teamId: team.teamId, keyIds: [key.id] });
    const first = (await stored(team.teamId, key.id))!;
    expect(await team.admin.api.keys.revoke.mutate({ teamId: team.teamId, keyIds: [key.id] })).toEqual({ revoked: [], alreadyRevoked: [key.id], notFound: [] });
    expect((await stored(team.teamId, key.id))!.revokedAt).toEqual(first.revokedAt);
    expect(await auditOfAction(team.teamId, 'key.revoked')).toHaveLength(1);
  });

  it('rejects an empty list and more than 1000 ids', async () => {
    const team = await createTeam(server);
    expect(await errorCode(team.admin.api.keys.revoke.mutate({ teamId: team.teamId, keyIds: [] }))).toBe('BAD_REQUEST');
    const many = Array.from({ length: 1001 }, (_, i) => `key_${i}`);
    expect(await errorCode(team.admin.api.keys.revoke.mutate({ teamId: team.teamId, keyIds: many }))).toBe('BAD_REQUEST');
  });
});

describe('keys.revokeAll', () => {
  it('changes nothing without the exact confirmation', async () => {
    const team = await createTeam(server);
    const key = await seedKey(server, { teamId: team.teamId, ownerId: team.admin.userId });
    for (const confirm of ['revoke all', 'REVOKE', '']) {
      expect(await errorCode(team.admin.api.keys.revokeAll.mutate({ teamId: team.teamId, confirm: confirm as 'REVOKE ALL' }))).toBe('BAD_REQUEST');
    }
    expect((await stored(team.teamId, key.id))!.status).toBe('enabled');
    expect(await auditOfAction(team.teamId, 'key.revoked')).toHaveLength(0);
  });

  it('revokes every live key of the team (and no other team\'s) with reason revoke_all', async () => {
    const team = await createTeam(server);
    const other = await createTeam(server, 'Other');
    const member = await team.addUser('m');
    const live = await Promise.all([
      seedKey(server, { teamId: team.teamId, ownerId: member.userId }),
      seedKey(server, { teamId: team.teamId, ownerId: team.admin.userId, status: 'disabled' }),
      seedKey(server, { teamId: team.teamId, ownerId: member.userId }),
    ]);
    const dead = await seedKey(server, { teamId: team.teamId, ownerId: member.userId, status: 'revoked' });
    const foreign = await seedKey(server, { teamId: other.teamId, ownerId: other.admin.userId });
    const result = await team.admin.api.keys.revokeAll.mutate({ teamId: team.teamId, confirm: 'REVOKE ALL' });
    expect(result.revoked.sort()).toEqual(live.map((k) => k.id).sort());
    expect(result).toMatchObject({ alreadyRevoked: [], notFound: [] });
    for (const k of live) {
      expect(await stored(team.teamId, k.id)).toMatchObject({ status: 'revoked', revokedReason: 'revoke_all' });
      expect((await verifyKey(server, k.value)).code).toBe('REVOKED');
    }
    expect((await stored(team.teamId, dead.id))!.revokedReason).toBe('manual');
    expect((await verifyKey(server, foreign.value)).valid).toBe(true);
    const counts = (await team.admin.api.keys.list.query({ teamId: team.teamId, view: ['revoked'] })).counts;
    expect(counts).toEqual({ enabled: 0, disabled: 0, revoked: 4 });
  });
});

describe('keys.disable and keys.enable', () => {
  it('disables reversibly: verification says DISABLED, then works again after enable', async () => {
    const team = await createTeam(server);
    const key = await seedKey(server, { teamId: team.teamId, ownerId: team.admin.userId });
    const revoked = await seedKey(server, { teamId: team.teamId, ownerId: team.admin.userId, status: 'revoked' });
    const ids = [key.id, revoked.id, 'key_unknown'];
    expect(await team.admin.api.keys.disable.mutate({ teamId: team.teamId, keyIds: ids })).toEqual({ changed: [key.id], unchanged: [revoked.id], notFound: ['key_unknown'] });
    expect(await stored(team.teamId, key.id)).toMatchObject({ status: 'disabled', disabledReason: 'manual' });
    expect(await verifyKey(server, key.value)).toEqual({ valid: false, code: 'DISABLED' });
    expect(await team.admin.api.keys.disable.mutate({ teamId: team.teamId, keyIds: [key.id] })).toEqual({ changed: [], unchanged: [key.id], notFound: [] });
    expect(await team.admin.api.keys.enable.mutate({ teamId: team.teamId, keyIds: [key.id] })).toEqual({ changed: [key.id], unchanged: [], notFound: [] });
    expect(await stored(team.teamId, key.id)).toMatchObject({ status: 'enabled', disabledReason: null });
    expect((await verifyKey(server, key.value)).valid).toBe(true);
    expect(await auditOfAction(team.teamId, 'key.disabled')).toHaveLength(1);
    expect(await auditOfAction(team.teamId, 'key.enabled')).toHaveLength(1);
  });

  it('refuses to enable a revoked or expired key, naming it, and changes nothing else in the call', async () => {
    const team = await createTeam(server);
    const disabled = await seedKey(server, { teamId: team.teamId, ownerId: team.admin.userId, status: 'disabled' });
    const revoked = await seedKey(server, { teamId: team.teamId, ownerId: team.admin.userId, status: 'revoked', name: 'Leaked one' });
    const expired = await seedKey(server, { teamId: team.teamId, ownerId: team.admin.userId, status: 'disabled', name: 'Old trial', expiresAt: new Date(Date.now() - HOUR) });
    for (const dead of [revoked, expired]) {
      const call = team.admin.api.keys.enable.mutate({ teamId: team.teamId, keyIds: [disabled.id, dead.id] });
      expect(await errorCode(call)).toBe('BAD_REQUEST');
      const err = await team.admin.api.keys.enable.mutate({ teamId: team.teamId, keyIds: [dead.id] }).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(TRPCClientError);
      expect((err as Error).message).toContain(dead.id);
      expect((err as Error).message).toMatch(/cannot be enabled/);
    }
    expect((await stored(team.teamId, disabled.id))!.status).toBe('disabled');
    expect(await auditOfAction(team.teamId, 'key.enabled')).toHaveLength(0);
  });
});
