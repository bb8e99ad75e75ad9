import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PROGRESS_BATCH } from '../../server/services/key-actions.service';
import { createTeam, errorCode, startTestServer, type TestServer } from '../helpers/harness';
import { seedManyKeys } from '../helpers/many-keys';

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer({ label: 'action-progress' });
});
afterAll(() => server.stop());

/** Issue 21, item 5: a large bulk action records keys done of total per batch; keys.actionProgress reads it. */
describe('keys.actionProgress', () => {
  it('reports a running Revoke All batch by batch, and nothing once it is done', async () => {
    const team = await createTeam(server);
    const total = PROGRESS_BATCH * 2 + 50;
    await seedManyKeys(server, { teamId: team.teamId, ownerId: team.admin.userId }, total);
    const seen: { done: number; total: number }[] = [];
    const running = team.admin.api.keys.revokeAll.mutate({ teamId: team.teamId, confirm: 'REVOKE ALL' });
    let finished = false;
    void running.finally(() => (finished = true));
    while (!finished) {
      for (const a of (await team.admin.api.keys.actionProgress.query({ teamId: team.teamId })).running) seen.push({ done: a.done, total: a.total });
      // Paced like the dashboard's poll, under the per-session request budget (20/s) that a tight loop would spend.
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    expect((await running).revoked).toHaveLength(total);
    // The figures only grow, never past the total; the record keeps its last ones.
    for (const p of seen) expect(p.total).toBe(total);
    expect(seen.map((p) => p.done)).toEqual([...seen.map((p) => p.done)].sort((a, b) => a - b));
    const record = await server.storage.cols.actions.findOne({ teamId: team.teamId, state: 'done' });
    expect(record?.progress).toEqual({ done: total, total });
    expect((await team.admin.api.keys.actionProgress.query({ teamId: team.teamId })).running).toEqual([]);
  });

  it('is for the team\'s admins only', async () => {
    const team = await createTeam(server);
    const member = await team.addUser('mo');
    expect(await errorCode(member.api.keys.actionProgress.query({ teamId: team.teamId }))).toBe('FORBIDDEN');
  });
});
