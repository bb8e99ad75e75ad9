import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTeam, startTestServer, type TestServer } from '../helpers/harness';
import { seedKey, verifyKey } from '../helpers/keys';
import { seedManyKeys } from '../helpers/many-keys';

/**
 * Issue 23: a large revocation lists the keys once, revokes them by id in batches and tells the verify
 * cache which keys it revoked. These check what that must keep: the answer names exactly the keys the
 * action revoked (also one the listing could not show), and a revoked key is refused at once.
 */
let server: TestServer;
beforeAll(async () => {
  server = await startTestServer({ label: 'bulk-revoke' });
});
afterAll(() => server.close());

/** Resolves once `on` has polled the shared key revision `times` more times (the watcher's signal). */
function polls(times: number, on: TestServer = server): Promise<void> {
  const revisions = on.storage.repos.revisions;
  const get = revisions.get;
  return new Promise((resolve) => {
    let seen = 0;
    revisions.get = async (name: string) => {
      const rev = await get(name);
      if (name === 'keys' && ++seen >= times) {
        revisions.get = get;
        resolve();
      }
      return rev;
    };
  });
}

describe('Revoke All and the verify cache', () => {
  it("answers REVOKED from the cache at once and keeps another team's keys cached, past the next revision polls", async () => {
    const team = await createTeam(server);
    const other = await createTeam(server, 'Other');
    const keys = [];
    for (let i = 0; i < 3; i++) keys.push(await seedKey(server, { teamId: team.teamId, ownerId: team.admin.userId }));
    const foreign = await seedKey(server, { teamId: other.teamId, ownerId: other.admin.userId });
    for (const k of [...keys, foreign]) expect((await verifyKey(server, k.value)).valid).toBe(true);

    const repo = server.storage.repos.keys;
    const read = repo.findForVerify;
    let reads = 0;
    repo.findForVerify = async (hash: string) => {
      reads++;
      return read(hash);
    };
    try {
      const res = await team.admin.api.keys.revokeAll.mutate({ teamId: team.teamId, confirm: 'REVOKE ALL' });
      expect(res.revoked.sort()).toEqual(keys.map((k) => k.id).sort());
      for (const k of keys) expect(await verifyKey(server, k.value)).toEqual({ valid: false, code: 'REVOKED' });
      // This instance's own revision bump, seen by its watcher, must not drop what the revocation just corrected.
      await polls(2);
      for (const k of keys) expect(await verifyKey(server, k.value)).toEqual({ valid: false, code: 'REVOKED' });
      expect((await verifyKey(server, foreign.value)).valid).toBe(true);
      expect(reads).toBe(0);
    } finally {
      repo.findForVerify = read;
    }
  });
});

describe('a large revocation', () => {
  it('revokes and names a key the listing did not show (created before the action, stored after the listing)', async () => {
    const team = await createTeam(server);
    const ids = await seedManyKeys(server, { teamId: team.teamId, ownerId: team.admin.userId }, 450);
    const repo = server.storage.repos.keys;
    const list = repo.listRevocable;
    let late: Awaited<ReturnType<typeof seedKey>> | null = null;
    repo.listRevocable = async (...args: Parameters<typeof list>) => {
      const listed = await list(...args);
      repo.listRevocable = list;
      late = await seedKey(server, { teamId: team.teamId, ownerId: team.admin.userId, createdAt: new Date(Date.now() - 60_000) });
      expect((await verifyKey(server, late.value)).valid).toBe(true);
      return listed;
    };
    const res = await team.admin.api.keys.revokeAll.mutate({ teamId: team.teamId, confirm: 'REVOKE ALL' }).finally(() => (repo.listRevocable = list));
    expect(late).not.toBeNull();
    expect(res.revoked.sort()).toEqual([...ids, late!.id].sort());
    expect(await verifyKey(server, late!.value)).toEqual({ valid: false, code: 'REVOKED' });
    const record = await server.storage.cols.actions.findOne({ teamId: team.teamId, state: 'done' });
    expect(record?.result).toEqual({ changed: 451 });
  });

  it('names only its own keys when another revocation took some of them first', async () => {
    const team = await createTeam(server);
    const ids = await seedManyKeys(server, { teamId: team.teamId, ownerId: team.admin.userId }, 450);
    const taken = ids.slice(100, 105);
    const repo = server.storage.repos.keys;
    const list = repo.listRevocable;
    repo.listRevocable = async (...args: Parameters<typeof list>) => {
      const listed = await list(...args);
      repo.listRevocable = list;
      // Revoked by hand between the listing and the batch writes: that revocation keeps them.
      await team.admin.api.keys.revoke.mutate({ teamId: team.teamId, keyIds: taken });
      return listed;
    };
    const res = await team.admin.api.keys.revokeAll.mutate({ teamId: team.teamId, confirm: 'REVOKE ALL' }).finally(() => (repo.listRevocable = list));
    expect(res.revoked.sort()).toEqual(ids.filter((id) => !taken.includes(id)).sort());
    const docs = await server.storage.cols.keys.find({ teamId: team.teamId, id: { $in: taken } }).toArray();
    expect(docs.map((d) => d.revokedReason)).toEqual(taken.map(() => 'bulk'));
  });

  it('tells the other instances when a run cut short is finished by the background pass', async () => {
    const other = await startTestServer({ label: 'bulk-revoke-b', dbName: server.dbName });
    try {
      const team = await createTeam(server);
      const key = await seedKey(server, { teamId: team.teamId, ownerId: team.admin.userId });
      // The other instance has the key cached as valid.
      expect((await verifyKey(other, key.value)).valid).toBe(true);
      // A first run revoked the keys and died before telling anyone (no signal, no revision bump).
      const createdAt = new Date();
      const actionId = `act_cut_${Date.now()}`;
      await server.storage.repos.actions.insert({
        id: actionId,
        teamId: team.teamId,
        action: { kind: 'revoke_all' },
        actor: { userId: team.admin.userId, email: team.admin.email, role: 'super_admin' },
        ip: null,
        userAgent: null,
        state: 'pending',
        createdAt,
        completedAt: null,
        result: null,
      });
      await server.storage.repos.keys.revokeWhere({ teamId: team.teamId, createdBefore: createdAt }, { reason: 'revoke_all', by: team.admin.userId, at: createdAt, actionId });
      expect(await server.services.keyActions.resumePending(0)).toBeGreaterThanOrEqual(1);
      // The second poll to finish from now started after the pass: it reads the pass's revision.
      await polls(2, other);
      expect(await verifyKey(other, key.value)).toEqual({ valid: false, code: 'REVOKED' });
      const record = await server.storage.repos.actions.find(actionId);
      expect(record).toMatchObject({ state: 'done', result: { changed: 1 } });
    } finally {
      await other.stop();
    }
  });
});
