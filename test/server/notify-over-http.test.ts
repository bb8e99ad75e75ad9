import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTeam, startTestServer, type TestServer } from '../helpers/harness';
import { settleOutbox } from '../helpers/notify';
import { startSmtpSink, type SmtpSink } from '../helpers/smtp-sink';

/** The admin procedures, called over HTTP as the dashboard calls them, notify owners grouped per action. */
let sink: SmtpSink;
let server: TestServer;
beforeAll(async () => {
  sink = await startSmtpSink();
  server = await startTestServer({ label: 'notify-http', smtpUrl: sink.url });
});
afterAll(async () => {
  await server.close();
  await sink.stop();
});

async function teamWithKeys(perOwner: number[]) {
  const team = await createTeam(server, 'Over HTTP');
  const owners = [];
  for (const [i, count] of perOwner.entries()) {
    const owner = await team.addUser(`owner${i}`);
    const keys = [];
    for (let n = 0; n < count; n++) keys.push((await owner.api.keys.create.mutate({ teamId: team.teamId, name: `o${i} k${n}` })).row);
    owners.push({ ...owner, keys });
  }
  return { team, owners };
}

describe('notices for admin actions over tRPC', () => {
  it('keys.revoke: one email and one notice per owner, listing only that owner\'s keys', async () => {
    const { team, owners } = await teamWithKeys([2, 3]);
    const result = await team.admin.api.keys.revoke.mutate({ teamId: team.teamId, keyIds: owners.flatMap((o) => o.keys.map((k) => k.id)) });
    expect(result.revoked).toHaveLength(5);
    await sink.waitFor(() => owners.every((o) => sink.to(o.email).length === 1));
    for (const owner of owners) {
      const [mail] = sink.to(owner.email);
      expect(mail!.subject).toBe(`${owner.keys.length} of your Keywarden API keys were revoked in team "Over HTTP"`);
      for (const k of owner.keys) expect(mail!.text).toContain(k.hint);
      const { items } = await owner.api.notifications.list.query({ teamId: team.teamId });
      expect(items).toHaveLength(1);
      expect(items[0]).toMatchObject({ kind: 'key_revoked', reason: 'bulk' });
      expect(items[0]!.keys.map((k) => k.id).sort()).toEqual(owner.keys.map((k) => k.id).sort());
    }
  });

  it('keys.revokeAll: likewise one email and one notice per owner, and nothing for a second Revoke All', async () => {
    const { team, owners } = await teamWithKeys([1, 2, 3]);
    const { revoked } = await team.admin.api.keys.revokeAll.mutate({ teamId: team.teamId, confirm: 'REVOKE ALL' });
    expect(revoked).toHaveLength(6);
    await sink.waitFor(() => owners.every((o) => sink.to(o.email).length === 1));
    for (const owner of owners) {
      const [mail] = sink.to(owner.email);
      expect(mail!.subject).toBe(
        `${owner.keys.length === 1 ? `Your Keywarden API key "${owner.keys[0]!.name}" was revoked` : `${owner.keys.length} of your Keywarden API keys were revoked`} in team "Over HTTP"`,
      );
      const { items } = await owner.api.notifications.list.query({ teamId: team.teamId });
      expect(items.map((n) => [n.kind, n.reason, n.keys.length])).toEqual([['key_revoked', 'revoke_all', owner.keys.length]]);
    }
    expect((await team.admin.api.keys.revokeAll.mutate({ teamId: team.teamId, confirm: 'REVOKE ALL' })).revoked).toEqual([]);
    // Run the outbox to completion: a second email would be in the sink now.
    await settleOutbox(server);
    for (const owner of owners) expect(sink.to(owner.email)).toHaveLength(1);
    for (const owner of owners) expect((await owner.api.notifications.list.query({ teamId: team.teamId })).items).toHaveLength(1);
  });
});
