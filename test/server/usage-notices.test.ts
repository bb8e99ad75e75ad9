import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTeam, startTestServer, type TestServer } from '../helpers/harness';
import { verifyKey } from '../helpers/keys';
import { DAY, setClock } from '../helpers/notify';

/** "A key that no longer works is still being tried": one grouped in-app notice per admin, at most once a day. */
let server: TestServer;
beforeAll(async () => {
  server = await startTestServer({ label: 'usage-notices' });
});
afterAll(() => server.close());

const tryTimes = async (key: string, n: number, code: string) => {
  for (let i = 0; i < n; i++) expect((await verifyKey(server, key)).code).toBe(code);
};

async function noticesOf(user: { api: Awaited<ReturnType<typeof createTeam>>['admin']['api'] }, teamId: string) {
  return (await user.api.notifications.list.query({ teamId })).items.filter((n) => n.kind === 'key_used_after_revoke');
}

describe('key_used_after_revoke', () => {
  it('tells every admin once a day which revoked or disabled keys were tried, from the background job', async () => {
    const team = await createTeam(server, 'Notice Team');
    const admin2 = await team.addUser('second-admin', 'admin');
    const member = await team.addUser('member');
    const [revoked, disabled, fine] = await Promise.all(['old-ci', 'paused', 'fine'].map((name) => member.api.keys.create.mutate({ teamId: team.teamId, name })));
    await team.admin.api.keys.revoke.mutate({ teamId: team.teamId, keyIds: [revoked!.row.id] });
    await team.admin.api.keys.disable.mutate({ teamId: team.teamId, keyIds: [disabled!.row.id] });
    await tryTimes(revoked!.key, 3, 'REVOKED');
    await tryTimes(disabled!.key, 1, 'DISABLED');
    expect((await verifyKey(server, fine!.key)).valid).toBe(true);
    await server.services.usage.flush();

    await server.jobs.runOnce();
    for (const admin of [team.admin, admin2]) {
      const notices = await noticesOf(admin, team.teamId);
      expect(notices).toHaveLength(1);
      expect(notices[0]!.keys.map((k) => k.name)).toEqual(['old-ci', 'paused']);
      expect(notices[0]!.message).toMatch(/2 keys of Notice Team that no longer work were tried 4 times since .*: "old-ci" \(revoked, 3 tries\), "paused" \(disabled, 1 try\)/);
      expect(notices[0]).toMatchObject({ teamName: 'Notice Team', revokedKeyIds: [], readAt: null });
    }
    expect(await noticesOf(member, team.teamId)).toHaveLength(0);

    // More tries the same day: no second notice, however often the pass runs.
    await tryTimes(revoked!.key, 2, 'REVOKED');
    await server.services.usage.flush();
    expect(await server.services.usedAfterRevoke.run()).toBe(0);
    await server.services.usedAfterRevoke.run();
    expect(await noticesOf(team.admin, team.teamId)).toHaveLength(1);

    // The next day, the tries since then are reported in a new notice.
    setClock(server, DAY);
    try {
      await tryTimes(revoked!.key, 1, 'REVOKED');
      await server.services.usage.flush();
      expect(await server.services.usedAfterRevoke.run()).toBe(2);
    } finally {
      server.deps.now = () => new Date();
    }
    const next = await noticesOf(admin2, team.teamId);
    expect(next).toHaveLength(2);
    // Only what came after the first notice: 2 more tries that day, 1 the next; "paused" was not tried again.
    const newest = next.find((n) => n.createdAt.getTime() > Date.now() + DAY / 2)!;
    expect(newest.keys.map((k) => k.name)).toEqual(['old-ci']);
    expect(newest.message).toMatch(/^A key of Notice Team that no longer works was tried 3 times since /);
  });

  it('sends nothing to a team whose keys that no longer work are left alone', async () => {
    const team = await createTeam(server);
    const { key, row } = await team.admin.api.keys.create.mutate({ teamId: team.teamId, name: 'used' });
    await verifyKey(server, key);
    await team.admin.api.keys.revoke.mutate({ teamId: team.teamId, keyIds: [row.id] });
    await server.services.usage.flush();
    await server.services.usedAfterRevoke.run();
    expect(await noticesOf(team.admin, team.teamId)).toHaveLength(0);
  });
});
