import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { recordingKeyEvents } from '../helpers/recording-key-events';
import { isCommand, startProxiedDatabase, type DbProxy } from '../helpers/db-proxy';
import { createTeam, errorCode, type TestServer, startTestServer } from '../helpers/harness';
import { seedKey, verifyKey } from '../helpers/keys';

/**
 * A bulk revoke whose database connection is cut mid-way, then restored: the
 * caller gets a clear 503, and the retry or the background pass over pending
 * actions leaves every key revoked exactly once with one audit record.
 */
let proxy: DbProxy;
let server: TestServer;
const recorded = recordingKeyEvents();

beforeAll(async () => {
  proxy = await startProxiedDatabase();
  server = await startTestServer({ label: 'admin-outage', mongoUri: proxy.uri, keyEvents: recorded.events });
});
afterAll(async () => {
  await server?.close();
  await proxy?.stop();
});

async function teamWithKeys(n: number) {
  const team = await createTeam(server);
  const member = await team.addUser('owner');
  const keys = await Promise.all(Array.from({ length: n }, (_, i) => seedKey(server, { teamId: team.teamId, ownerId: i % 2 ? member.userId : team.admin.userId })));
  return { team, keys };
}

// About storage: after a cut connection, what the database holds shows nothing was done twice.
async function expectRevokedExactlyOnce(teamId: string, keys: { id: string; value: string }[]) {
  const audits = await server.storage.cols.audit.find({ teamId, action: 'key.revoked' }).toArray();
  expect(audits).toHaveLength(1);
  expect(audits[0]!.targets.ids.sort()).toEqual(keys.map((k) => k.id).sort());
  const stored = await server.storage.repos.keys.findManyByPublicIds(teamId, keys.map((k) => k.id));
  expect(stored.every((k) => k.status === 'revoked' && k.revokedReason === 'bulk')).toBe(true);
  // One action revoked them all, at one instant: nothing was revoked twice.
  expect(new Set(stored.map((k) => k.actionId)).size).toBe(1);
  expect(new Set(stored.map((k) => k.revokedAt!.getTime())).size).toBe(1);
  expect(audits[0]!.details).toMatchObject({ actionId: stored[0]!.actionId });
  const action = await server.storage.repos.actions.find(stored[0]!.actionId!);
  expect(action?.state).toBe('done');
  expect(await server.storage.cols.actions.countDocuments({ teamId, state: 'pending' })).toBe(0);
  for (const k of keys.slice(0, 3)) expect((await verifyKey(server, k.value)).code).toBe('REVOKED');
}

describe('database outage during a bulk revoke', () => {
  it('is finished by the background pass when the answer to the revoke write is lost', async () => {
    const { team, keys } = await teamWithKeys(40);
    const cut = proxy.cutOn(isCommand('update', 'keys'), 'forward');
    const call = team.admin.api.keys.revoke.mutate({ teamId: team.teamId, keyIds: keys.map((k) => k.id) });
    expect(await errorCode(call)).toBe('SERVICE_UNAVAILABLE');
    await cut;
    proxy.restore();
    expect(await server.services.keyActions.resumePending(0)).toBe(1);
    await expectRevokedExactlyOnce(team.teamId, keys);
    // The caller's retry now reports them all as already revoked and changes nothing.
    const retry = await team.admin.api.keys.revoke.mutate({ teamId: team.teamId, keyIds: keys.map((k) => k.id) });
    expect(retry).toEqual({ revoked: [], alreadyRevoked: expect.arrayContaining(keys.map((k) => k.id)), notFound: [] });
    await expectRevokedExactlyOnce(team.teamId, keys);
  });

  it('is finished by the background pass when the outage hits after the keys changed but before the audit record', async () => {
    const { team, keys } = await teamWithKeys(25);
    const cut = proxy.cutOn(isCommand('update', 'audit'), 'drop');
    expect(await errorCode(team.admin.api.keys.revoke.mutate({ teamId: team.teamId, keyIds: keys.map((k) => k.id) }))).toBe('SERVICE_UNAVAILABLE');
    await cut;
    proxy.restore();
    await server.services.keyActions.resumePending(0);
    await server.services.keyActions.resumePending(0);
    await expectRevokedExactlyOnce(team.teamId, keys);
    const events = recorded.changes.filter((e) => e.teamId === team.teamId);
    expect(new Set(events.map((e) => e.actionId)).size).toBe(1);
  });

  it('is finished by the caller\'s retry when the revoke write never arrived', async () => {
    const { team, keys } = await teamWithKeys(30);
    const cut = proxy.cutOn(isCommand('update', 'keys'), 'drop');
    expect(await errorCode(team.admin.api.keys.revoke.mutate({ teamId: team.teamId, keyIds: keys.map((k) => k.id) }))).toBe('SERVICE_UNAVAILABLE');
    await cut;
    expect(await errorCode(team.admin.api.keys.list.query({ teamId: team.teamId, view: ['enabled'] }))).toBe('SERVICE_UNAVAILABLE');
    proxy.restore();
    // The interrupted action's one key write never arrived, so it changed nothing: the retry revokes them all.
    const retry = await team.admin.api.keys.revoke.mutate({ teamId: team.teamId, keyIds: keys.map((k) => k.id) });
    expect(retry.revoked.sort()).toEqual(keys.map((k) => k.id).sort());
    expect(retry.alreadyRevoked).toEqual([]);
    // The background pass then closes the interrupted action, which changed nothing and leaves no second record.
    expect(await server.services.keyActions.resumePending(0)).toBe(1);
    await expectRevokedExactlyOnce(team.teamId, keys);
  });
});
