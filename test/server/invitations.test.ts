import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { auditOf as teamAudit } from '../helpers/fixtures';
import { createTeam, errorCode, startTestServer, type TestServer } from '../helpers/harness';
import { isInvitation, MAIL_DEADLINE_MS, signedInPersonOf, signInByMail, unique } from '../helpers/invitations';
import { startSmtpSink, type SmtpSink } from '../helpers/smtp-sink';

/**
 * Consent to join a team, for someone who has signed in: who is invited and who is added, accept / decline /
 * cancel, and what a team sees meanwhile. First sign-ins and the sign-in audit: invitations-first-sign-in.test.ts.
 */
const DAY = 24 * 60 * 60_000;
let smtp: SmtpSink;
let server: TestServer;
let realNow: () => Date;

beforeAll(async () => {
  smtp = await startSmtpSink();
  server = await startTestServer({ label: 'invitations', smtpUrl: smtp.url, env: { AUTH_CODE_LIMIT_PER_IP: '1000' } });
  realNow = server.deps.now;
});
afterEach(() => {
  // A failed test must not leave the clock moved for the next one.
  server.deps.now = realNow;
});
afterAll(async () => {
  await server.close();
  await smtp.stop();
});

const auditOf = (teamId: string) => teamAudit(server, teamId);
const signIn = (email: string) => signInByMail(server, smtp, email);
const signedInPerson = (label: string) => signedInPersonOf(server, smtp, label);

describe('members.add of someone who has signed in', () => {
  it('invites them instead of adding them, and emails the invitation', async () => {
    const team = await createTeam(server, 'Acme');
    const person = await signedInPerson('pat');

    const answer = await team.admin.api.members.add.mutate({ teamId: team.teamId, email: person.email, role: 'member' });
    expect(answer).toMatchObject({ teamId: team.teamId, userId: person.userId, invited: true });

    // Not a member: absent from the list, and every team procedure answers as if the team did not exist.
    expect((await team.admin.api.members.list.query({ teamId: team.teamId })).map((m) => m.userId)).not.toContain(person.userId);
    expect(await server.services.teams.membership(team.teamId, person.userId)).toBeNull();
    expect(await errorCode(person.api.keys.mine.query({ teamId: team.teamId }))).toBe('NOT_FOUND');
    expect(await errorCode(person.api.settings.get.query({ teamId: team.teamId }))).toBe('NOT_FOUND');
    expect(await errorCode(person.api.keys.create.mutate({ teamId: team.teamId, name: 'sneaky' }))).toBe('NOT_FOUND');

    const mine = await person.api.invitations.list.query();
    expect(mine).toEqual([
      { teamId: team.teamId, teamName: 'Acme', role: 'member', invitedBy: team.admin.email, createdAt: expect.any(Date), expiresAt: expect.any(Date) },
    ]);
    expect(mine[0]!.expiresAt.getTime() - mine[0]!.createdAt.getTime()).toBe(14 * DAY);
    expect(await team.admin.api.invitations.listForTeam.query({ teamId: team.teamId })).toEqual([
      expect.objectContaining({ userId: person.userId, email: person.email, role: 'member', invitedBy: team.admin.email }),
    ]);

    await smtp.waitFor(() => smtp.to(person.email).some((m) => isInvitation(m.subject)), MAIL_DEADLINE_MS);
    const mail = smtp.to(person.email).find((m) => isInvitation(m.subject));
    expect(mail!.subject).toBe(`${team.admin.email} invited you to join "Acme" on Keywarden`);
    expect(mail!.text).toMatch(/open the Keywarden extension/);

    const actions = (await auditOf(team.teamId)).map((a) => a.action);
    expect(actions).toContain('member.invited');
    expect(actions).not.toContain('member.added');
  });

  it('makes them a member on accept, with the invited role, and accepting again changes nothing', async () => {
    const team = await createTeam(server, 'Join Co');
    const person = await signedInPerson('jo');
    await team.admin.api.members.add.mutate({ teamId: team.teamId, email: person.email, role: 'admin' });

    const accepted = await person.api.invitations.accept.mutate({ teamId: team.teamId });
    expect(accepted).toEqual({ teamId: team.teamId, teamName: 'Join Co', role: 'admin' });
    expect(await person.api.invitations.accept.mutate({ teamId: team.teamId })).toEqual(accepted);

    const members = await team.admin.api.members.list.query({ teamId: team.teamId });
    expect(members.find((m) => m.userId === person.userId)).toMatchObject({ email: person.email, role: 'admin' });
    expect((await person.api.members.list.query({ teamId: team.teamId })).length).toBe(2);
    expect((await person.api.auth.me.query()).teams.map((t) => t.teamId)).toContain(team.teamId);
    expect(await person.api.invitations.list.query()).toEqual([]);
    expect(await team.admin.api.invitations.listForTeam.query({ teamId: team.teamId })).toEqual([]);
    const joined = (await auditOf(team.teamId)).filter((a) => a.action === 'member.joined');
    expect(joined).toEqual([expect.objectContaining({ actor: expect.objectContaining({ userId: person.userId, role: 'admin' }), userAgent: 'invitations-test/1.0' })]);
  });

  it('lets a signed-in user with no team at all see and accept an invitation', async () => {
    const team = await createTeam(server, 'First Team');
    const email = unique('teamless');
    const home = await createTeam(server, 'Temporary');
    await home.admin.api.members.add.mutate({ teamId: home.teamId, email, role: 'member' });
    const person = await signIn(email);
    const userId = person.user.id;
    await home.admin.api.members.remove.mutate({ teamId: home.teamId, userId });
    expect((await person.api.auth.me.query()).teams).toEqual([]);

    expect(await team.admin.api.members.add.mutate({ teamId: team.teamId, email, role: 'member' })).toMatchObject({ invited: true });
    expect((await person.api.invitations.list.query()).map((i) => i.teamName)).toEqual(['First Team']);
    await person.api.invitations.accept.mutate({ teamId: team.teamId });
    expect((await person.api.auth.me.query()).teams).toEqual([{ teamId: team.teamId, name: 'First Team', role: 'member', canGenerate: true }]);
  });

  it('removes the invitation on decline; accepting it afterwards is NOT_FOUND', async () => {
    const team = await createTeam(server, 'Declined Inc');
    const person = await signedInPerson('dee');
    await team.admin.api.members.add.mutate({ teamId: team.teamId, email: person.email, role: 'member' });

    expect(await person.api.invitations.decline.mutate({ teamId: team.teamId })).toEqual({ teamId: team.teamId, declined: true });
    expect(await person.api.invitations.list.query()).toEqual([]);
    expect(await team.admin.api.invitations.listForTeam.query({ teamId: team.teamId })).toEqual([]);
    expect(await errorCode(person.api.invitations.accept.mutate({ teamId: team.teamId }))).toBe('NOT_FOUND');
    expect(await errorCode(person.api.invitations.decline.mutate({ teamId: team.teamId }))).toBe('NOT_FOUND');
    expect(await server.services.teams.membership(team.teamId, person.userId)).toBeNull();
    expect(await errorCode(person.api.invitations.accept.mutate({ teamId: 'team_doesnotexist' }))).toBe('NOT_FOUND');

    // The team learns it was declined, not from where.
    const declined = (await auditOf(team.teamId)).find((a) => a.action === 'invitation.declined');
    expect(declined).toMatchObject({ actor: { userId: person.userId, email: person.email }, targets: { ids: [person.userId] } });
    expect([declined!.ip ?? null, declined!.userAgent ?? null]).toEqual([null, null]);
  });

  it('re-adding re-sends the one invitation, at most one email a minute', async () => {
    const team = await createTeam(server, 'Resend Ltd');
    const person = await signedInPerson('rae');
    const t0 = realNow();
    server.deps.now = () => t0;
    await team.admin.api.members.add.mutate({ teamId: team.teamId, email: person.email, role: 'member' });
    // A double click: same minute, same email.
    await team.admin.api.members.add.mutate({ teamId: team.teamId, email: person.email, role: 'member' });
    server.deps.now = () => new Date(t0.getTime() + 2 * 60_000);
    const again = await team.admin.api.members.add.mutate({ teamId: team.teamId, email: person.email, role: 'admin' });
    expect(again).toMatchObject({ invited: true, expiresAt: new Date(t0.getTime() + 2 * 60_000 + 14 * DAY) });

    expect(await team.admin.api.invitations.listForTeam.query({ teamId: team.teamId })).toHaveLength(1);
    const mine = await person.api.invitations.list.query();
    expect(mine).toEqual([expect.objectContaining({ teamId: team.teamId, role: 'admin', createdAt: t0 })]);
    await smtp.waitFor(() => smtp.to(person.email).filter((m) => isInvitation(m.subject)).length >= 2, MAIL_DEADLINE_MS);
    expect((await team.admin.api.admin.outbox.query({ teamId: team.teamId, limit: 200 })).items.filter((m) => m.to === person.email)).toHaveLength(2);
    expect((await auditOf(team.teamId)).filter((a) => a.action === 'member.invited').map((a) => a.details?.resent).sort()).toEqual([false, true, true]);
  });

  it('refuses someone already in the team, and once they are removed asks them again', async () => {
    const team = await createTeam(server, 'Already');
    const person = await signedInPerson('al');
    await team.admin.api.members.add.mutate({ teamId: team.teamId, email: person.email, role: 'member' });
    await person.api.invitations.accept.mutate({ teamId: team.teamId });
    expect(await errorCode(team.admin.api.members.add.mutate({ teamId: team.teamId, email: person.email, role: 'member' }))).toBe('CONFLICT');

    await team.admin.api.members.remove.mutate({ teamId: team.teamId, userId: person.userId });
    // The old acceptance does not let them back in.
    expect(await errorCode(person.api.invitations.accept.mutate({ teamId: team.teamId }))).toBe('NOT_FOUND');
    expect(await team.admin.api.members.add.mutate({ teamId: team.teamId, email: person.email, role: 'member' })).toMatchObject({ invited: true });
    expect(await server.services.teams.membership(team.teamId, person.userId)).toBeNull();
    await person.api.invitations.accept.mutate({ teamId: team.teamId });
    expect(await server.services.teams.membership(team.teamId, person.userId)).toMatchObject({ role: 'member' });
    expect((await auditOf(team.teamId)).filter((a) => a.action === 'member.joined')).toHaveLength(2);
  });

  it('lets an invitation expire after 14 days; re-adding opens a new one', async () => {
    const team = await createTeam(server, 'Expiry');
    const person = await signedInPerson('ex');
    // Invited 14 days and a minute ago.
    server.deps.now = () => new Date(realNow().getTime() - 14 * DAY - 60_000);
    await team.admin.api.members.add.mutate({ teamId: team.teamId, email: person.email, role: 'member' });
    server.deps.now = realNow;
    expect(await person.api.invitations.list.query()).toEqual([]);
    expect(await team.admin.api.invitations.listForTeam.query({ teamId: team.teamId })).toEqual([]);
    expect(await errorCode(person.api.invitations.accept.mutate({ teamId: team.teamId }))).toBe('NOT_FOUND');

    await team.admin.api.members.add.mutate({ teamId: team.teamId, email: person.email, role: 'member' });
    expect(await person.api.invitations.accept.mutate({ teamId: team.teamId })).toMatchObject({ role: 'member' });
  });

  it('lets an admin withdraw an invitation', async () => {
    const team = await createTeam(server, 'Cancel');
    const person = await signedInPerson('cy');
    await team.admin.api.members.add.mutate({ teamId: team.teamId, email: person.email, role: 'member' });
    expect(await team.admin.api.invitations.cancel.mutate({ teamId: team.teamId, userId: person.userId })).toEqual({ userId: person.userId, cancelled: true });
    expect(await person.api.invitations.list.query()).toEqual([]);
    expect(await errorCode(person.api.invitations.accept.mutate({ teamId: team.teamId }))).toBe('NOT_FOUND');
    expect((await auditOf(team.teamId)).map((a) => a.action)).toContain('invitation.cancelled');
  });

  it('keeps an invitation from another team\'s admins and from the team\'s members', async () => {
    const team = await createTeam(server, 'Private');
    const member = await team.addUser('plain');
    const other = await createTeam(server, 'Other');
    const person = await signedInPerson('pri');
    await team.admin.api.members.add.mutate({ teamId: team.teamId, email: person.email, role: 'member' });

    expect(await errorCode(other.admin.api.invitations.listForTeam.query({ teamId: team.teamId }))).toBe('NOT_FOUND');
    expect(await errorCode(other.admin.api.invitations.cancel.mutate({ teamId: team.teamId, userId: person.userId }))).toBe('NOT_FOUND');
    expect(await errorCode(other.admin.api.invitations.accept.mutate({ teamId: team.teamId }))).toBe('NOT_FOUND');
    expect(await other.admin.api.invitations.list.query()).toEqual([]);
    expect(await errorCode(member.api.invitations.listForTeam.query({ teamId: team.teamId }))).toBe('FORBIDDEN');
    expect(await errorCode(member.api.invitations.cancel.mutate({ teamId: team.teamId, userId: person.userId }))).toBe('FORBIDDEN');
    expect(await errorCode(person.api.invitations.listForTeam.query({ teamId: team.teamId }))).toBe('NOT_FOUND');
    expect(await server.services.teams.membership(team.teamId, other.admin.userId)).toBeNull();
    // Still open for the person it was meant for.
    expect((await person.api.invitations.list.query()).map((i) => i.teamId)).toEqual([team.teamId]);
  });
});
