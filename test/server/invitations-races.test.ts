import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { auditOf } from '../helpers/fixtures';
import { createTeam, errorCode, startTestServer, type TestServer, type TestUser } from '../helpers/harness';

/**
 * An invitation answered twice at once: the person accepts while an admin withdraws it. Exactly one
 * of them wins, and what each was told matches what happened (issue 20, defect 9).
 */
const ROUNDS = 30;
let server: TestServer;
let person: TestUser;

beforeAll(async () => {
  server = await startTestServer({ label: 'invitations-races' });
  person = (await createTeam(server, 'Home')).admin;
  // Someone who has signed in is invited, not added.
  await server.storage.repos.users.markSignedIn(person.userId, server.deps.now());
});
afterAll(() => server.close());

/** What a call answered: 'ok', or its error code. */
const outcome = (call: Promise<unknown>) => call.then(() => 'ok', (err) => errorCode(Promise.reject(err)));

describe('accept racing cancel', () => {
  it(`has exactly one winner in each of ${ROUNDS} rounds, and the loser is told NOT_FOUND`, async () => {
    const tally = { accepted: 0, cancelled: 0 };
    for (let round = 0; round < ROUNDS; round++) {
      const team = await createTeam(server, `Race ${round}`);
      expect(await team.admin.api.members.add.mutate({ teamId: team.teamId, email: person.email, role: 'member' })).toMatchObject({ invited: true });

      const [accept, cancel] = await Promise.all([
        outcome(person.api.invitations.accept.mutate({ teamId: team.teamId })),
        outcome(team.admin.api.invitations.cancel.mutate({ teamId: team.teamId, userId: person.userId })),
      ]);
      const member = await server.services.teams.membership(team.teamId, person.userId);
      const actions = (await auditOf(server, team.teamId)).map((a) => a.action);
      const context = { round, accept, cancel, member: member !== null, actions };

      expect([accept, cancel].sort(), JSON.stringify(context)).toEqual(['NOT_FOUND', 'ok']);
      if (accept === 'ok') {
        tally.accepted++;
        expect(member, JSON.stringify(context)).not.toBeNull();
        expect(actions, JSON.stringify(context)).toContain('member.joined');
        expect(actions, JSON.stringify(context)).not.toContain('invitation.cancelled');
      } else {
        tally.cancelled++;
        expect(member, JSON.stringify(context)).toBeNull();
        expect(actions, JSON.stringify(context)).toContain('invitation.cancelled');
        expect(actions, JSON.stringify(context)).not.toContain('member.joined');
        // The withdrawn invitation stays withdrawn.
        expect(await errorCode(person.api.invitations.accept.mutate({ teamId: team.teamId }))).toBe('NOT_FOUND');
      }
    }
    expect(tally.accepted + tally.cancelled).toBe(ROUNDS);
  });

  it('joins once when the same invitation is accepted twice at once', async () => {
    const team = await createTeam(server, 'Double accept');
    await team.admin.api.members.add.mutate({ teamId: team.teamId, email: person.email, role: 'admin' });
    const answers = await Promise.all([1, 2, 3].map(() => person.api.invitations.accept.mutate({ teamId: team.teamId })));
    for (const a of answers) expect(a).toEqual({ teamId: team.teamId, teamName: 'Double accept', role: 'admin' });
    expect((await auditOf(server, team.teamId)).filter((a) => a.action === 'member.joined')).toHaveLength(1);
  });

  it('finishes an acceptance a crash cut short between the answer and the membership', async () => {
    const team = await createTeam(server, 'Cut short');
    await team.admin.api.members.add.mutate({ teamId: team.teamId, email: person.email, role: 'member' });
    // What the winning accept had written when the server died: the answer, not yet the membership.
    await server.storage.cols.invitations.updateOne({ _id: `${team.teamId}:${person.userId}` }, { $set: { state: 'accepted', joined: false, respondedAt: new Date() } });
    expect(await server.services.teams.membership(team.teamId, person.userId)).toBeNull();
    // The admin can no longer withdraw it; the person's retry completes it.
    expect(await errorCode(team.admin.api.invitations.cancel.mutate({ teamId: team.teamId, userId: person.userId }))).toBe('NOT_FOUND');
    const answer = await person.api.invitations.accept.mutate({ teamId: team.teamId });
    expect(answer).toEqual({ teamId: team.teamId, teamName: 'Cut short', role: 'member' });
    expect(await server.services.teams.membership(team.teamId, person.userId)).toMatchObject({ role: 'member' });
    expect(await person.api.invitations.accept.mutate({ teamId: team.teamId })).toEqual(answer);
    expect((await auditOf(server, team.teamId)).filter((a) => a.action === 'member.joined')).toHaveLength(1);
  });
});
