import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_TEAM_SETTINGS } from '../../shared/schemas/team';
import { recordingKeyEvents } from '../helpers/recording-key-events';
import { createTeam, errorCode, type TestServer, startTestServer } from '../helpers/harness';
import { auditOf, storedKey } from '../helpers/fixtures';
import { DAY, HOUR, seedKey, verifyKey } from '../helpers/keys';

/** Team settings and the expiry policy: preview numbers, applying them, null, retries. */
let server: TestServer;
const recorded = recordingKeyEvents();
beforeAll(async () => {
  server = await startTestServer({ label: 'admin-settings', keyEvents: recorded.events });
});
afterAll(() => server.close());

// The recorded fields (revokedBy, the stored expiry of an expired key) are what the policy tests check.
const stored = (teamId: string, id: string) => storedKey(server, teamId, id);
const ago = (days: number) => new Date(Date.now() - days * DAY);
const ahead = (days: number) => new Date(Date.now() + days * DAY);

describe('settings.get and settings.update', () => {
  it('lets any member read the settings, and nobody outside the team', async () => {
    const team = await createTeam(server);
    const member = await team.addUser('m');
    const outsider = (await createTeam(server, 'Other')).admin;
    expect(await member.api.settings.get.query({ teamId: team.teamId })).toEqual(DEFAULT_TEAM_SETTINGS);
    expect(await errorCode(outsider.api.settings.get.query({ teamId: team.teamId }))).toBe('NOT_FOUND');
  });

  it('turns member key generation off, normalises warning days, and audits the change', async () => {
    const team = await createTeam(server);
    const member = await team.addUser('m');
    const res = await team.admin.api.settings.update.mutate({ teamId: team.teamId, allowMemberKeyGeneration: false, expiryWarningDays: [1, 30, 7, 30] });
    expect(res).toEqual({ settings: { ...DEFAULT_TEAM_SETTINGS, allowMemberKeyGeneration: false, maxLifetimeDays: null, expiryWarningDays: [30, 7, 1] }, policy: null });
    expect(await errorCode(member.api.keys.create.mutate({ teamId: team.teamId, name: 'mine' }))).toBe('FORBIDDEN');
    expect((await team.admin.api.keys.create.mutate({ teamId: team.teamId, name: 'admin key' })).key).toMatch(/^kw_/);
    const audit = await team.admin.api.audit.list.query({ teamId: team.teamId });
    const entry = audit.items.find((a) => a.action === 'settings.updated')!;
    expect(entry.details).toEqual({ changes: { allowMemberKeyGeneration: { from: true, to: false }, expiryWarningDays: { from: [7, 1], to: [30, 7, 1] } } });
    expect(await errorCode(team.admin.api.settings.update.mutate({ teamId: team.teamId, maxLifetimeDays: 0 }))).toBe('BAD_REQUEST');
    expect(await errorCode(team.admin.api.settings.update.mutate({ teamId: team.teamId, maxLifetimeDays: 366 }))).toBe('BAD_REQUEST');
  });
});

describe('expiry policy', () => {
  async function policyTeam() {
    const team = await createTeam(server);
    const alice = await team.addUser('alice');
    const bob = await team.addUser('bob');
    const k = {
      oldOpen: await seedKey(server, { teamId: team.teamId, ownerId: alice.userId, createdAt: ago(100) }),
      young: await seedKey(server, { teamId: team.teamId, ownerId: alice.userId, createdAt: ago(10) }),
      shorter: await seedKey(server, { teamId: team.teamId, ownerId: bob.userId, createdAt: ago(10), expiresAt: ahead(5) }),
      longer: await seedKey(server, { teamId: team.teamId, ownerId: bob.userId, createdAt: ago(10), expiresAt: ahead(100) }),
      revoked: await seedKey(server, { teamId: team.teamId, ownerId: bob.userId, createdAt: ago(100), status: 'revoked' }),
      expired: await seedKey(server, { teamId: team.teamId, ownerId: bob.userId, createdAt: ago(100), expiresAt: ago(1) }),
      oldDisabled: await seedKey(server, { teamId: team.teamId, ownerId: bob.userId, createdAt: ago(40), status: 'disabled' }),
    };
    return { team, alice, bob, k };
  }

  it('previews exactly what applying then does, key by key and owner by owner', async () => {
    const { team, alice, bob, k } = await policyTeam();
    const preview = await team.admin.api.settings.previewExpiryPolicy.query({ teamId: team.teamId, maxLifetimeDays: 30 });
    expect(preview).toEqual({
      changed: 4,
      expireNow: 2,
      byOwner: [
        { userId: alice.userId, email: alice.email, changed: 2, expireNow: 1 },
        { userId: bob.userId, email: bob.email, changed: 2, expireNow: 1 },
      ].sort((a, b) => a.email.localeCompare(b.email)),
    });
    expect(await stored(team.teamId, k.young.id)).toMatchObject({ expiresAt: null });

    const res = await team.admin.api.settings.update.mutate({ teamId: team.teamId, maxLifetimeDays: 30 });
    expect(res.policy).toEqual({ changed: preview.changed, expireNow: preview.expireNow });
    expect(res.settings.maxLifetimeDays).toBe(30);

    const cap = (key: { stored: { createdAt: Date } }) => new Date(key.stored.createdAt.getTime() + 30 * DAY);
    expect(await stored(team.teamId, k.oldOpen.id)).toMatchObject({ status: 'revoked', revokedReason: 'policy', revokedBy: team.admin.userId, expiresAt: cap(k.oldOpen) });
    expect(await stored(team.teamId, k.oldDisabled.id)).toMatchObject({ status: 'revoked', revokedReason: 'policy' });
    expect(await stored(team.teamId, k.young.id)).toMatchObject({ status: 'enabled', expiresAt: cap(k.young) });
    expect(await stored(team.teamId, k.longer.id)).toMatchObject({ status: 'enabled', expiresAt: cap(k.longer) });
    expect((await stored(team.teamId, k.shorter.id))!.expiresAt).toEqual(k.shorter.stored.expiresAt);
    expect(await stored(team.teamId, k.revoked.id)).toMatchObject({ revokedReason: 'manual', expiresAt: null });
    expect((await stored(team.teamId, k.expired.id))!.expiresAt).toEqual(k.expired.stored.expiresAt);
    expect((await verifyKey(server, k.oldOpen.value)).code).toBe('REVOKED');
    expect((await verifyKey(server, k.young.value)).valid).toBe(true);

    const event = recorded.policies.find((e) => e.teamId === team.teamId)!;
    expect(event).toMatchObject({ maxLifetimeDays: 30, actor: { userId: team.admin.userId } });
    expect(event.changed.map((x) => x.id).sort()).toEqual([k.oldOpen.id, k.young.id, k.longer.id, k.oldDisabled.id].sort());
    expect(event.expiredNow.map((x) => x.id).sort()).toEqual([k.oldOpen.id, k.oldDisabled.id].sort());
    const audit = (await team.admin.api.audit.list.query({ teamId: team.teamId })).items;
    expect(audit.find((a) => a.action === 'policy.applied')).toMatchObject({ targets: { count: 4 }, details: { maxLifetimeDays: 30, changed: 4, expireNow: 2 } });
    expect(await team.admin.api.settings.previewExpiryPolicy.query({ teamId: team.teamId, maxLifetimeDays: 30 })).toEqual({ changed: 0, expireNow: 0, byOwner: [] });
  });

  it('caps every later key, and null lifts the cap without extending any expiry', async () => {
    const { team, alice, k } = await policyTeam();
    await team.admin.api.settings.update.mutate({ teamId: team.teamId, maxLifetimeDays: 30 });
    const capped = await alice.api.keys.create.mutate({ teamId: team.teamId, name: 'new' });
    expect(Math.abs(capped.row.expiresAt!.getTime() - ahead(30).getTime())).toBeLessThan(60_000);
    expect(await errorCode(alice.api.keys.create.mutate({ teamId: team.teamId, name: 'too long', expiresInDays: 31 }))).toBe('BAD_REQUEST');

    const youngExpiry = (await stored(team.teamId, k.young.id))!.expiresAt;
    expect(await team.admin.api.settings.previewExpiryPolicy.query({ teamId: team.teamId, maxLifetimeDays: null })).toEqual({ changed: 0, expireNow: 0, byOwner: [] });
    const res = await team.admin.api.settings.update.mutate({ teamId: team.teamId, maxLifetimeDays: null });
    expect(res).toMatchObject({ settings: { maxLifetimeDays: null }, policy: null });
    expect((await stored(team.teamId, k.young.id))!.expiresAt).toEqual(youngExpiry);
    expect((await alice.api.keys.create.mutate({ teamId: team.teamId, name: 'open' })).row.expiresAt).toBeNull();
  });

  it('finishes an interrupted policy run once, however often it is resumed', async () => {
    const { team, k } = await policyTeam();
    const actionId = 'act_interruptedpolicy' + team.teamId.slice(-6);
    // About crash recovery: the half-done state a crash leaves is written as stored, then resumed.
    await server.storage.repos.actions.insert({
      id: actionId,
      teamId: team.teamId,
      action: { kind: 'policy', maxLifetimeDays: 30 },
      actor: { userId: team.admin.userId, email: team.admin.email, role: 'super_admin' },
      ip: null,
      userAgent: null,
      state: 'pending',
      createdAt: new Date(Date.now() - HOUR),
      completedAt: null,
      result: null,
    });
    // Half done before the "crash": one key already carries the action's change.
    await server.storage.repos.keys.capExpiry(team.teamId, k.young.id, new Date(k.young.stored.createdAt.getTime() + 30 * DAY), { at: new Date(Date.now() - HOUR), by: team.admin.userId, actionId });
    expect(await server.services.keyActions.resumePending(0)).toBeGreaterThanOrEqual(1);
    await server.services.keyActions.resumePending(0);
    const changed = await server.storage.repos.keys.findByAction(actionId);
    expect(changed).toHaveLength(4);
    expect(await auditOf(server, team.teamId, 'policy.applied')).toHaveLength(1);
    expect((await server.storage.repos.actions.find(actionId))!.state).toBe('done');
  });
});
