import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { recordingKeyEvents } from '../helpers/recording-key-events';
import { createTeam, errorCode, type TestServer, startTestServer } from '../helpers/harness';
import { auditOf, keyRowOf } from '../helpers/fixtures';
import { seedKey, verifyKey } from '../helpers/keys';

/** Members: list, add, role changes with the super-admin rules, removal disabling keys. */
let server: TestServer;
const recorded = recordingKeyEvents();
beforeAll(async () => {
  server = await startTestServer({ label: 'admin-members', keyEvents: recorded.events });
});
afterAll(() => server.close());

const auditActions = async (teamId: string) => (await auditOf(server, teamId)).map((a) => a.action);

describe('members.list and members.add', () => {
  it('lists members with email, name, role and join date', async () => {
    const team = await createTeam(server);
    const m = await team.addUser('maria');
    const list = await team.admin.api.members.list.query({ teamId: team.teamId });
    expect(list.map((x) => [x.userId, x.email, x.role])).toEqual([
      [team.admin.userId, team.admin.email, 'super_admin'],
      [m.userId, m.email, 'member'],
    ]);
    expect(list[0]!.joinedAt).toBeInstanceOf(Date);
  });

  it('adds a new user by email, refuses a duplicate, and audits it', async () => {
    const team = await createTeam(server);
    const added = await team.admin.api.members.add.mutate({ teamId: team.teamId, email: 'New.Person@Example.test', role: 'admin' });
    expect(added.invited).toBe(false);
    const list = await team.admin.api.members.list.query({ teamId: team.teamId });
    expect(list.find((x) => x.userId === added.userId)).toMatchObject({ email: 'new.person@example.test', role: 'admin' });
    expect(await errorCode(team.admin.api.members.add.mutate({ teamId: team.teamId, email: 'new.person@example.test', role: 'member' }))).toBe('CONFLICT');
    expect(await errorCode(team.admin.api.members.add.mutate({ teamId: team.teamId, email: 'not-an-email', role: 'member' }))).toBe('BAD_REQUEST');
    expect(await auditActions(team.teamId)).toContain('member.added');
  });

  it('invites, rather than adds, someone who has signed in (a session of theirs counts)', async () => {
    const team = await createTeam(server);
    const elsewhere = (await createTeam(server, 'Elsewhere')).admin;
    expect(await team.admin.api.members.add.mutate({ teamId: team.teamId, email: elsewhere.email, role: 'member' })).toMatchObject({ userId: elsewhere.userId, invited: true });
    expect((await team.admin.api.members.list.query({ teamId: team.teamId })).map((x) => x.userId)).not.toContain(elsewhere.userId);
    expect(await errorCode(elsewhere.api.keys.mine.query({ teamId: team.teamId }))).toBe('NOT_FOUND');
    expect(await auditActions(team.teamId)).toContain('member.invited');
    expect(await auditActions(team.teamId)).not.toContain('member.added');
  });

  it('keeps the direct path for the operator: teams.addMember adds a signed-in user at once', async () => {
    const team = await createTeam(server);
    const elsewhere = (await createTeam(server, 'Elsewhere')).admin;
    await server.services.teams.addMember({ teamId: team.teamId, email: elsewhere.email, role: 'member' });
    expect((await team.admin.api.members.list.query({ teamId: team.teamId })).map((x) => x.userId)).toContain(elsewhere.userId);
    expect(await team.admin.api.invitations.listForTeam.query({ teamId: team.teamId })).toEqual([]);
  });

  it('lets only a super admin add a super admin', async () => {
    const team = await createTeam(server);
    const admin = await team.addUser('admin', 'admin');
    expect(await errorCode(admin.api.members.add.mutate({ teamId: team.teamId, email: 'boss@example.test', role: 'super_admin' }))).toBe('FORBIDDEN');
    await team.admin.api.members.add.mutate({ teamId: team.teamId, email: 'boss@example.test', role: 'super_admin' });
  });
});

describe('members.setRole', () => {
  it('changes a role and audits from and to', async () => {
    const team = await createTeam(server);
    const m = await team.addUser('m');
    expect(await team.admin.api.members.setRole.mutate({ teamId: team.teamId, userId: m.userId, role: 'admin' })).toEqual({ userId: m.userId, role: 'admin', changed: true });
    expect((await m.api.keys.list.query({ teamId: team.teamId, view: ['enabled'] })).items).toEqual([]);
    const [entry] = await auditOf(server, team.teamId, 'member.role_changed');
    expect(entry).toMatchObject({ targets: { ids: [m.userId] }, details: { from: 'member', to: 'admin' } });
    expect(await errorCode(team.admin.api.members.setRole.mutate({ teamId: team.teamId, userId: 'usr_nobody', role: 'admin' }))).toBe('NOT_FOUND');
  });

  it('lets only a super admin grant or take away super_admin', async () => {
    const team = await createTeam(server);
    const admin = await team.addUser('admin', 'admin');
    const m = await team.addUser('m');
    const second = await team.addUser('second', 'super_admin');
    expect(await errorCode(admin.api.members.setRole.mutate({ teamId: team.teamId, userId: m.userId, role: 'super_admin' }))).toBe('FORBIDDEN');
    expect(await errorCode(admin.api.members.setRole.mutate({ teamId: team.teamId, userId: second.userId, role: 'member' }))).toBe('FORBIDDEN');
    expect(await errorCode(admin.api.members.remove.mutate({ teamId: team.teamId, userId: second.userId }))).toBe('FORBIDDEN');
    await admin.api.members.setRole.mutate({ teamId: team.teamId, userId: m.userId, role: 'admin' });
    await second.api.members.setRole.mutate({ teamId: team.teamId, userId: m.userId, role: 'super_admin' });
  });

  it('never demotes or removes the last super admin', async () => {
    const team = await createTeam(server);
    const other = await team.addUser('other', 'super_admin');
    await other.api.members.setRole.mutate({ teamId: team.teamId, userId: team.admin.userId, role: 'admin' });
    expect(await errorCode(other.api.members.setRole.mutate({ teamId: team.teamId, userId: other.userId, role: 'admin' }))).toBe('PRECONDITION_FAILED');
    expect(await errorCode(other.api.members.remove.mutate({ teamId: team.teamId, userId: other.userId }))).toBe('PRECONDITION_FAILED');
    const roles = (await other.api.members.list.query({ teamId: team.teamId })).map((x) => x.role).sort();
    expect(roles).toEqual(['admin', 'super_admin']);
  });
});

describe('members.remove', () => {
  it('disables every key the member has in that team, with reason owner_removed, and only there', async () => {
    const team = await createTeam(server);
    const elsewhere = await createTeam(server, 'Elsewhere');
    const m = await team.addUser('leaver');
    await server.services.teams.addMember({ teamId: elsewhere.teamId, email: m.email, role: 'member' });
    const keys = await Promise.all([seedKey(server, { teamId: team.teamId, ownerId: m.userId }), seedKey(server, { teamId: team.teamId, ownerId: m.userId })]);
    const revoked = await seedKey(server, { teamId: team.teamId, ownerId: m.userId, status: 'revoked' });
    const theirsElsewhere = await seedKey(server, { teamId: elsewhere.teamId, ownerId: m.userId });
    const adminKey = await seedKey(server, { teamId: team.teamId, ownerId: team.admin.userId });

    expect(await team.admin.api.members.remove.mutate({ teamId: team.teamId, userId: m.userId })).toEqual({ userId: m.userId, disabledKeys: 2 });
    for (const k of keys) {
      expect(await keyRowOf(server, team.teamId, k.id)).toMatchObject({ status: 'disabled', disabledReason: 'owner_removed' });
      expect((await verifyKey(server, k.value)).code).toBe('DISABLED');
    }
    expect((await keyRowOf(server, team.teamId, revoked.id))!.status).toBe('revoked');
    expect((await verifyKey(server, theirsElsewhere.value)).valid).toBe(true);
    expect((await verifyKey(server, adminKey.value)).valid).toBe(true);
    expect(await errorCode(m.api.keys.mine.query({ teamId: team.teamId }))).toBe('NOT_FOUND');

    const event = recorded.changes.find((e) => e.teamId === team.teamId)!;
    expect(event).toMatchObject({ kind: 'disabled', reason: 'owner_removed' });
    expect(event.keys.map((k) => k.id).sort()).toEqual(keys.map((k) => k.id).sort());
    expect(await auditActions(team.teamId)).toEqual(expect.arrayContaining(['key.disabled', 'member.removed']));
    expect(await errorCode(team.admin.api.members.remove.mutate({ teamId: team.teamId, userId: m.userId }))).toBe('NOT_FOUND');
  });

  it('refuses to enable a removed member\'s keys until the member is back in the team', async () => {
    const team = await createTeam(server);
    const m = await team.addUser('returner');
    const key = await seedKey(server, { teamId: team.teamId, ownerId: m.userId });
    await team.admin.api.members.remove.mutate({ teamId: team.teamId, userId: m.userId });

    const err = await team.admin.api.keys.enable.mutate({ teamId: team.teamId, keyIds: [key.id] }).catch((e) => e);
    expect(err.data.code).toBe('BAD_REQUEST');
    expect(err.message).toMatch(/no longer in the team/);
    expect((await verifyKey(server, key.value)).code).toBe('DISABLED');

    // A key the member had disabled by hand (reason `manual`) is no different once they are gone.
    const earlier = await seedKey(server, { teamId: team.teamId, ownerId: m.userId, status: 'disabled' });
    expect(await errorCode(team.admin.api.keys.enable.mutate({ teamId: team.teamId, keyIds: [earlier.id] }))).toBe('BAD_REQUEST');

    // Having signed in, they are invited back, and their keys stay off until they accept.
    expect(await team.admin.api.members.add.mutate({ teamId: team.teamId, email: m.email, role: 'member' })).toMatchObject({ invited: true });
    expect(await errorCode(team.admin.api.keys.enable.mutate({ teamId: team.teamId, keyIds: [key.id] }))).toBe('BAD_REQUEST');
    await m.api.invitations.accept.mutate({ teamId: team.teamId });
    expect((await team.admin.api.keys.enable.mutate({ teamId: team.teamId, keyIds: [key.id] })).changed).toEqual([key.id]);
    expect((await verifyKey(server, key.value)).valid).toBe(true);
  });
});
