import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { auditOf as teamAudit } from '../helpers/fixtures';
import { createTeam, errorCode, startTestServer, type TestServer } from '../helpers/harness';
import { signedInPersonOf, signInByMail, unique } from '../helpers/invitations';
import { startSmtpSink, type SmtpSink } from '../helpers/smtp-sink';

/**
 * Consent to join a team, around the first sign-in: an address that has never signed in joins directly,
 * and the sign-in audit goes only to teams the user has joined. Invitations: invitations.test.ts.
 */
let smtp: SmtpSink;
let server: TestServer;

beforeAll(async () => {
  smtp = await startSmtpSink();
  server = await startTestServer({ label: 'invitations-first', smtpUrl: smtp.url, env: { AUTH_CODE_LIMIT_PER_IP: '1000' } });
});
afterAll(async () => {
  await server.close();
  await smtp.stop();
});

const auditOf = (teamId: string) => teamAudit(server, teamId);
const signIn = (email: string, userAgent?: string) => signInByMail(server, smtp, email, userAgent);
const signedInPerson = (label: string) => signedInPersonOf(server, smtp, label);

describe('an address that has never signed in', () => {
  it('joins directly, sees the team at its first sign-in, and needs consent from then on', async () => {
    const team = await createTeam(server, 'Direct');
    const email = unique('newbie');
    const added = await team.admin.api.members.add.mutate({ teamId: team.teamId, email, role: 'member' });
    expect(added).toMatchObject({ teamId: team.teamId, invited: false });
    expect((await team.admin.api.members.list.query({ teamId: team.teamId })).map((m) => m.email)).toContain(email);
    expect(await server.services.invitations.listMine(added.userId)).toEqual([]);

    const first = await signIn(email);
    expect(first.teams).toEqual([{ teamId: team.teamId, name: 'Direct', role: 'member', canGenerate: true }]);
    expect((await auditOf(team.teamId)).filter((a) => a.action === 'auth.sign_in').map((a) => a.actor.userId)).toEqual([added.userId]);

    // Signed out (no session left), the recorded first sign-in still stands: another team must invite.
    await first.api.auth.logout.mutate();
    expect(await errorCode(first.api.auth.me.query())).toBe('UNAUTHORIZED');
    const other = await createTeam(server, 'Later');
    expect(await other.admin.api.members.add.mutate({ teamId: other.teamId, email, role: 'member' })).toMatchObject({ invited: true });
  });
});

describe('sign-in audit', () => {
  it('is written only in teams the user has joined, not in a team that has merely invited them', async () => {
    const team = await createTeam(server, 'Watcher');
    const person = await signedInPerson('sig');
    await team.admin.api.members.add.mutate({ teamId: team.teamId, email: person.email, role: 'member' });

    await signIn(person.email, 'private-agent/2.0');
    const signIns = async (teamId: string) => (await auditOf(teamId)).filter((a) => a.action === 'auth.sign_in' && a.actor.userId === person.userId);
    expect(await signIns(team.teamId)).toEqual([]);
    expect((await signIns(person.home.teamId)).map((a) => a.userAgent)).toContain('private-agent/2.0');
    // Nothing the team can read carries the invitee's user agent.
    expect((await auditOf(team.teamId)).map((a) => a.userAgent)).not.toContain('private-agent/2.0');

    await person.api.invitations.accept.mutate({ teamId: team.teamId });
    await signIn(person.email, 'joined-agent/3.0');
    expect((await signIns(team.teamId)).map((a) => a.userAgent)).toEqual(['joined-agent/3.0']);
  });
});
