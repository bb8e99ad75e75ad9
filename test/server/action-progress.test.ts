import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PROGRESS_BATCH } from '../../server/services/key-actions.service';
import { createTeam, errorCode, startTestServer, type TestServer } from '../helpers/harness';
import { seedManyKeys } from '../helpers/many-keys';

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer({ label: 'action-progress' });
});
afterAll(() => server.stop());

type Team = Awaited<ReturnType<typeof createTeam>>;

/**
 * Runs `action` while reading the team's progress right after each write of it (the signal), as the
 * dashboard would between polls; returns the action's answer and the figures read, in order.
 */
async function watchingProgress<T>(team: Team, action: () => Promise<T>): Promise<{ answer: T; seen: { done: number; total: number }[] }> {
  const seen: { done: number; total: number }[] = [];
  const actions = server.storage.repos.actions;
  const write = actions.progress;
  actions.progress = async (...args: Parameters<typeof write>) => {
    await write(...args);
    for (const a of (await team.admin.api.keys.actionProgress.query({ teamId: team.teamId })).running) seen.push({ done: a.done, total: a.total });
  };
  try {
    return { answer: await action(), seen };
  } finally {
    actions.progress = write;
  }
}

/** The figures only grow, never past the total. */
function expectGrowing(seen: { done: number; total: number }[], total: number) {
  for (const p of seen) expect(p.total).toBe(total);
  expect(seen.map((p) => p.done)).toEqual([...seen.map((p) => p.done)].sort((a, b) => a - b));
}

/** Issue 21, item 5: a large bulk action records keys done of total per batch; keys.actionProgress reads it. */
describe('keys.actionProgress', () => {
  it('reports a running Revoke All batch by batch, and nothing once it is done', async () => {
    const team = await createTeam(server);
    const total = PROGRESS_BATCH * 2 + 50;
    await seedManyKeys(server, { teamId: team.teamId, ownerId: team.admin.userId }, total);
    const { answer, seen } = await watchingProgress(team, () => team.admin.api.keys.revokeAll.mutate({ teamId: team.teamId, confirm: 'REVOKE ALL' }));
    expect(answer.revoked).toHaveLength(total);
    expect(seen.length).toBeGreaterThan(0);
    // The record keeps its last figures.
    expectGrowing(seen, total);
    const record = await server.storage.cols.actions.findOne({ teamId: team.teamId, state: 'done' });
    expect(record?.progress).toEqual({ done: total, total });
    expect((await team.admin.api.keys.actionProgress.query({ teamId: team.teamId })).running).toEqual([]);
  });

  it('reports a running bulk disable batch by batch too, and it disables every key it reports', async () => {
    const team = await createTeam(server);
    const total = PROGRESS_BATCH * 2 + 30;
    await seedManyKeys(server, { teamId: team.teamId, ownerId: team.admin.userId }, total);
    const { answer, seen } = await watchingProgress(team, () => team.admin.api.keys.disableMatching.mutate({ teamId: team.teamId, view: ['enabled'], expectedCount: total }));
    expect(answer.changed).toHaveLength(total);
    // More than one batch was reported, growing to the total.
    expect(seen.length).toBeGreaterThan(2);
    expectGrowing(seen, total);
    expect(seen.at(-1)).toEqual({ done: total, total });
    const { counts } = await team.admin.api.keys.list.query({ teamId: team.teamId, view: ['enabled', 'disabled'] });
    expect(counts).toMatchObject({ enabled: 0, disabled: total });
  });

  it('is for the team\'s admins only', async () => {
    const team = await createTeam(server);
    const member = await team.addUser('mo');
    expect(await errorCode(member.api.keys.actionProgress.query({ teamId: team.teamId }))).toBe('FORBIDDEN');
  });
});
