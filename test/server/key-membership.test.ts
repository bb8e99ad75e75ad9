import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateKey } from '../../shared/key-format';
import { createTeam, startTestServer, type TestServer } from '../helpers/harness';
import { verifyService } from '../../server/services/verify.service';
import { DAY, seedKey } from '../helpers/keys';

/**
 * services/key-membership.ts: verify answers a well-formed key nobody issued
 * NOT_FOUND without a read, beyond a budget of unknown-key reads per second,
 * and learns keys created elsewhere within a revision poll. "Elsewhere" is the
 * test server's API; "this instance" is a verify service built here on the same
 * database, its key look-ups counted.
 */
let server: TestServer;
beforeAll(async () => {
  server = await startTestServer({ label: 'key-membership' });
});
afterAll(async () => {
  await server?.close();
});

function countedVerify(options: { unknownReadsPerSecond: number; revisionPollMs?: number }) {
  const counter = { lookups: 0 };
  const keys = server.storage.repos.keys;
  const counted = { ...keys, findForVerify: (hash: string) => (counter.lookups++, keys.findForVerify(hash)) };
  const service = verifyService(server.deps, { keys: counted, revisions: server.storage.repos.revisions }, { revisionPollMs: 200, ...options });
  return { service, counter };
}

describe('verify without the database for keys that cannot exist', () => {
  it('reads at most the budget of unknown keys under a flood, and still verifies known keys', async () => {
    const team = await createTeam(server);
    const { key } = await team.admin.api.keys.create.mutate({ teamId: team.teamId, name: 'known' });
    const { service, counter } = countedVerify({ unknownReadsPerSecond: 5 });
    await service.startWatching();
    try {
      // The set is filled in the background: wait until it knows the key created before it started.
      await expect.poll(async () => (counter.lookups = 0, await service.verify(generateKey()), counter.lookups), { timeout: 30_000 }).toBe(0);
      const started = Date.now();
      counter.lookups = 0;
      for (let i = 0; i < 300; i++) expect(await service.verify(generateKey())).toEqual({ valid: false, code: 'NOT_FOUND' });
      const seconds = (Date.now() - started) / 1000;
      // A full bucket (5) plus 5 a second while the flood lasted.
      expect(counter.lookups).toBeLessThanOrEqual(5 + Math.ceil(seconds * 5) + 1);
      expect((await service.verify(key)).valid).toBe(true);
    } finally {
      service.stopWatching();
      await service.flush();
    }
  });

  it('verifies a key created elsewhere at once when no flood is going on', async () => {
    const { service } = countedVerify({ unknownReadsPerSecond: 50, revisionPollMs: 60_000 });
    await service.startWatching();
    try {
      const team = await createTeam(server);
      const { key } = await team.admin.api.keys.create.mutate({ teamId: team.teamId, name: 'new elsewhere' });
      // No poll has run since the key was created: the budget's read finds it.
      expect((await service.verify(key)).valid).toBe(true);
    } finally {
      service.stopWatching();
      await service.flush();
    }
  });

  it('learns a key created elsewhere during a flood within a revision poll', async () => {
    const { service, counter } = countedVerify({ unknownReadsPerSecond: 1, revisionPollMs: 200 });
    await service.startWatching();
    try {
      await expect.poll(async () => (counter.lookups = 0, await service.verify(generateKey()), await service.verify(generateKey()), counter.lookups), { timeout: 30_000 }).toBeLessThan(2);
      const team = await createTeam(server);
      const { key } = await team.admin.api.keys.create.mutate({ teamId: team.teamId, name: 'new during a flood' });
      const createdAt = Date.now();
      // The flood spends the budget; the key still verifies once the next poll has read it.
      await expect
        .poll(async () => {
          for (let i = 0; i < 20; i++) await service.verify(generateKey());
          return (await service.verify(key)).valid;
        }, { timeout: 30_000, interval: 20 })
        .toBe(true);
      // The bound is the 200 ms poll; a loaded machine gets slack.
      expect(Date.now() - createdAt).toBeLessThan(5000);
    } finally {
      service.stopWatching();
      await service.flush();
    }
  });

  it('verifies at once, during a flood, every key this instance stored: created, rotated, or imported with an old date', async () => {
    const verify = server.services.verify;
    const team = await createTeam(server);
    // Let the set's first fill finish (a full set answers a flood's keys without reads: fast).
    await verify.startWatching();
    const flood = async () => {
      for (let i = 0; i < 500; i++) expect(await verify.verify(generateKey())).toEqual({ valid: false, code: 'NOT_FOUND' });
    };
    // An imported key keeps its old creation date, so no poll ever reads it as new.
    const imported = await seedKey(server, { teamId: team.teamId, ownerId: team.admin.userId, createdAt: new Date(Date.now() - 90 * DAY) });
    const created = await team.admin.api.keys.create.mutate({ teamId: team.teamId, name: 'created' });
    const rotated = await team.admin.api.keys.rotate.mutate({ teamId: team.teamId, keyId: created.row.id, graceHours: 1 });
    await flood();
    expect((await verify.verify(imported.value)).valid).toBe(true);
    await flood();
    expect((await verify.verify(rotated.key)).valid).toBe(true);
    await flood();
    expect((await verify.verify(created.key)).valid).toBe(true);
  });
});
