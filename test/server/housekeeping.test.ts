import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTeam, errorCode, startTestServer, type TestServer, type TestUser } from '../helpers/harness';
import { verifyKey } from '../helpers/keys';
import { setClock, until } from '../helpers/notify';

/**
 * Housekeeping that clears itself: an answered key request leaves no unread
 * "key request" notice with any admin, and an invitation waits in its
 * invitee's badge until it is answered or withdrawn; admins can send it again.
 */
let server: TestServer;

beforeAll(async () => {
  server = await startTestServer({ label: 'housekeeping' });
});
afterAll(async () => {
  await server.close();
});

const summaryOf = async (u: TestUser) => {
  const s = await u.api.alerts.summary.query();
  if (s.unchanged) throw new Error('expected a full summary');
  return s;
};
const requestNoticesOf = async (u: TestUser) =>
  (await server.services.notifications.list(u.userId, { limit: 100 })).items.filter((n) => n.kind === 'key_request_created').map((n) => ({ key: n.keys[0]?.id, read: n.readAt !== null }));

describe('answered key requests', () => {
  it.each(['approve', 'deny'] as const)('marks the request notice read for every admin once one of them answers (%s)', async (answer) => {
    const team = await createTeam(server, 'Requests');
    const mia = await team.addUser('mia');
    const admin2 = await team.addUser('second-admin', 'admin');
    await team.admin.api.settings.update.mutate({ teamId: team.teamId, allowMemberKeyGeneration: false });
    const request = await mia.api.keyRequests.create.mutate({ teamId: team.teamId, name: 'ci deploy', reason: 'deploys from CI' });
    const other = await mia.api.keyRequests.create.mutate({ teamId: team.teamId, name: 'nightly', reason: 'exports' });
    expect(await requestNoticesOf(admin2)).toEqual(expect.arrayContaining([{ key: request.id, read: false }, { key: other.id, read: false }]));

    if (answer === 'approve') await team.admin.api.keyRequests.approve.mutate({ teamId: team.teamId, requestId: request.id });
    else await team.admin.api.keyRequests.deny.mutate({ teamId: team.teamId, requestId: request.id, note: 'use the shared key' });

    for (const admin of [team.admin, admin2]) {
      expect(await requestNoticesOf(admin)).toEqual(expect.arrayContaining([{ key: request.id, read: true }, { key: other.id, read: false }]));
    }
    expect((await summaryOf(admin2)).pendingRequests).toBe(1);
  });
});

describe('pending invitations', () => {
  it('count in the invitee’s amber badge until withdrawn, and can be sent again', async () => {
    const acme = await createTeam(server, 'Acme');
    const invitee = (await createTeam(server, 'Home')).admin;
    expect((await summaryOf(invitee)).pendingInvitations).toBe(0);

    const added = await acme.admin.api.members.add.mutate({ teamId: acme.teamId, email: invitee.email, role: 'member' });
    expect(added).toMatchObject({ invited: true });
    const waiting = await summaryOf(invitee);
    expect(waiting).toMatchObject({ pendingInvitations: 1, badge: { text: '1', title: 'Keywarden: 1 team invitation to answer' } });

    const [before] = await acme.admin.api.invitations.listForTeam.query({ teamId: acme.teamId });
    setClock(server, 60_000);
    const resent = await acme.admin.api.invitations.resend.mutate({ teamId: acme.teamId, userId: invitee.userId }).finally(() => setClock(server, 0));
    const [after] = await acme.admin.api.invitations.listForTeam.query({ teamId: acme.teamId });
    expect(after!.sentAt.getTime()).toBeGreaterThan(before!.sentAt.getTime());
    expect(resent.expiresAt).toEqual(after!.expiresAt);
    expect(after!.role).toBe('member');

    await acme.admin.api.invitations.cancel.mutate({ teamId: acme.teamId, userId: invitee.userId });
    expect(await summaryOf(invitee)).toMatchObject({ pendingInvitations: 0, badge: { text: '' } });
    expect(await errorCode(acme.admin.api.invitations.resend.mutate({ teamId: acme.teamId, userId: invitee.userId }))).toBe('NOT_FOUND');
  });

  it('lets only the team’s admins send an invitation again', async () => {
    const acme = await createTeam(server, 'Acme');
    const member = await acme.addUser('member');
    const invitee = (await createTeam(server, 'Home')).admin;
    await acme.admin.api.members.add.mutate({ teamId: acme.teamId, email: invitee.email, role: 'member' });
    expect(await errorCode(member.api.invitations.resend.mutate({ teamId: acme.teamId, userId: invitee.userId }))).toBe('FORBIDDEN');
  });
});

describe('a canary alarm', () => {
  it('has a badge wording of its own instead of counting as a revocation', async () => {
    const team = await createTeam(server, 'Trapped');
    const canary = await team.admin.api.keys.create.mutate({ teamId: team.teamId, name: 'aws-prod-backup', canary: true });
    expect((await verifyKey(server, canary.key)).valid).toBe(false);
    const summary = await until(async () => {
      const s = await summaryOf(team.admin);
      return s.canaryAlarms > 0 ? s : null;
    });
    expect(summary).toMatchObject({ canaryAlarms: 1, revokedUnread: 0, badge: { text: '1', color: '#d93025', title: 'Keywarden: 1 canary alarm: a trap key was used' } });
  });

  it('shows on the canary’s row when and from where it last fired', async () => {
    const team = await createTeam(server, 'Trapped');
    const canary = await team.admin.api.keys.create.mutate({ teamId: team.teamId, name: 'aws-prod-backup', canary: true });
    const rowOf = async () => (await team.admin.api.keys.list.query({ teamId: team.teamId, view: ['enabled'] })).items.find((k) => k.id === canary.row.id)!;
    expect((await rowOf()).canaryFired).toBeNull();
    await verifyKey(server, canary.key);
    const fired = await until(async () => (await rowOf()).canaryFired);
    const [alarm] = (await team.admin.api.audit.list.query({ teamId: team.teamId, limit: 10 })).items.filter((a) => a.action === 'canary.triggered');
    expect(fired).toEqual({ at: alarm!.at, ip: alarm!.ip });
    expect(fired.ip).toBeTruthy();
  });
});
