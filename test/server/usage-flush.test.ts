import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTeam, startTestServer, type TestServer } from '../helpers/harness';
import { isCommand, startProxiedDatabase, type DbProxy } from '../helpers/db-proxy';
import { verifyKey } from '../helpers/keys';
import { until } from '../helpers/notify';

/** How usage counts reach the database: in the background, exactly once, through outages and restarts. */
const verifyTimes = async (server: TestServer, key: string, n: number) => {
  for (let i = 0; i < n; i++) expect((await verifyKey(server, key)).valid).toBe(true);
};

/** How many documents each hour of a key has (one, whatever the flushes and instances). */
async function documentsPerHour(server: TestServer, keyId: string): Promise<number[]> {
  const docs = await server.storage.cols.usage.find({ keyId }, { projection: { hour: 1 } }).toArray();
  const groups = new Map<number, number>();
  for (const d of docs) groups.set(d.hour.getTime(), (groups.get(d.hour.getTime()) ?? 0) + 1);
  return [...groups.values()];
}

describe('a database outage in the middle of a flush', () => {
  let proxy: DbProxy;
  let server: TestServer;
  beforeAll(async () => {
    proxy = await startProxiedDatabase();
    server = await startTestServer({ label: 'usage-cut', mongoUri: proxy.uri });
  });
  afterAll(async () => {
    proxy.restore();
    await server.close();
    await proxy.stop();
  });

  it('never counts anything twice, even when the flush did land but its answer was lost', async () => {
    const team = await createTeam(server);
    const { key, row } = await team.admin.api.keys.create.mutate({ teamId: team.teamId, name: 'svc' });
    await verifyTimes(server, key, 10);
    await server.services.usage.flush();

    await verifyTimes(server, key, 5);
    const cut = proxy.cutOn(isCommand('update', 'usage'), 'forward');
    await expect(server.services.usage.flush()).rejects.toThrow();
    await cut;
    proxy.restore();
    // The update reached the database: the one document of the hour holds 15.
    const stored = await until(async () => {
      const docs = await server.storage.cols.usage.find({ keyId: row.id }).toArray().catch(() => []);
      return docs.some((d) => d.valid === 15) ? docs : null;
    });
    expect(stored.map((d) => d.valid)).toEqual([15]);
    const read = () => team.admin.api.keys.usage.query({ teamId: team.teamId, keyId: row.id }).then((u) => u.totals.valid);
    expect(await until(() => read().catch(() => null))).toBe(15);

    await verifyTimes(server, key, 2);
    // The next flush (retried until the driver has reconnected) sends the unconfirmed 5 again under their
    // flush id, which the document already lists, and the 2 new ones under a new id.
    await until(() => server.services.usage.flush().then(() => true, () => false));
    expect(await read()).toBe(17);
    const usage = await team.admin.api.keys.usage.query({ teamId: team.teamId, keyId: row.id, range: '7d' });
    expect(usage.totals.valid).toBe(17);
    expect(usage.buckets.reduce((n, b) => n + b.valid, 0)).toBe(17);
    expect((await team.admin.api.keys.list.query({ teamId: team.teamId, view: ['enabled'] })).items[0]!.usage).toEqual({ last24h: 17, last7d: 17 });
    expect(await documentsPerHour(server, row.id)).toEqual([1]);
  });

  it('adds a retried flush once, however often and however concurrently it is sent', async () => {
    const hour = new Date(Date.UTC(2026, 0, 1));
    const delta = (valid: number, ip: string, at: number) => ({
      teamId: 'team_retry',
      keyId: 'key_retry',
      hour,
      valid,
      revoked: 1,
      disabled: 0,
      expired: 0,
      malformed: 0,
      notFound: 0,
      ips: [ip],
      ipsCapped: false,
      lastValid: { at: new Date(hour.getTime() + at), ip, ua: 'ua' },
      lastFail: null,
    });
    const repo = server.storage.repos.usage;
    const first = { flushId: 'inst-a:1', source: 'inst-a', delta: delta(3, '10.0.0.1', 1000) };
    const second = { flushId: 'inst-b:1', source: 'inst-b', delta: delta(4, '10.0.0.2', 500) };
    await repo.addFlushes([first]);
    // The same flush again, twice at once, and another instance's flush racing them.
    await Promise.all([repo.addFlushes([first]), repo.addFlushes([first, second]), repo.addFlushes([second])]);
    await repo.addFlushes([first, second]);
    const [doc] = await repo.ofKey('team_retry', 'key_retry', hour);
    expect(doc).toMatchObject({ valid: 7, revoked: 2, lastValidAt: new Date(hour.getTime() + 1000), lastValidIp: '10.0.0.1' });
    expect(doc!.ips.sort()).toEqual(['10.0.0.1', '10.0.0.2']);
    expect(await server.storage.cols.usage.countDocuments({ keyId: 'key_retry' })).toBe(1);
  });
});

describe('restarts', () => {
  it('keeps every count over a graceful restart, and loses only the unflushed ones in a crash', async () => {
    const first = await startTestServer({ label: 'usage-restart' });
    const team = await createTeam(first);
    const { key, row } = await team.admin.api.keys.create.mutate({ teamId: team.teamId, name: 'svc' });
    await verifyTimes(first, key, 10);
    await first.services.usage.flush();
    await verifyTimes(first, key, 5);
    await first.stop();

    const second = await startTestServer({ label: 'usage-restart2', dbName: first.dbName });
    const valid = async (s: TestServer) => (await s.client(team.admin.token).keys.usage.query({ teamId: team.teamId, keyId: row.id })).totals.valid;
    try {
      expect(await valid(second)).toBe(15);
      await verifyTimes(second, key, 4);
      await second.services.usage.flush();
      await verifyTimes(second, key, 3);
      // A crash: the database connection is gone before the last flush could run.
      await second.storage.database.close();
      await second.stop();
    } catch (err) {
      await second.stop();
      throw err;
    }

    const third = await startTestServer({ label: 'usage-restart3', dbName: first.dbName });
    try {
      expect(await valid(third)).toBe(15 + 4);
    } finally {
      await third.close();
    }
  });
});

describe('the background flush', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer({ label: 'usage-timer', env: { USAGE_FLUSH_SECONDS: '1' } });
  });
  afterAll(() => server.close());

  it('writes counts by itself within its interval, one document per active key', async () => {
    const team = await createTeam(server);
    const keys = await Promise.all(['a', 'b', 'c'].map((name) => team.admin.api.keys.create.mutate({ teamId: team.teamId, name })));
    const before = server.services.usage.recorder.stats();
    for (let round = 0; round < 20; round++) await Promise.all(keys.map((k) => verifyKey(server, k.key)));
    // No explicit flush: the recorder's own timer writes them.
    await until(async () => {
      const usage = await Promise.all(keys.map((k) => team.admin.api.keys.usage.query({ teamId: team.teamId, keyId: k.row.id })));
      return usage.every((u) => u.totals.valid === 20);
    });
    await until(() => server.services.usage.recorder.stats().flushes > before.flushes);
    const after = server.services.usage.recorder.stats();
    // 60 verifies, and never more documents in a flush than keys in use (an hour boundary may add one per key).
    const flushes = after.flushes - before.flushes;
    expect(after.documents - before.documents).toBeLessThanOrEqual(3 * flushes + 3);
    expect(after.maxKeysPerFlush).toBeLessThanOrEqual(3);
    // One document per key and hour, however many flushes added to it.
    await server.services.usage.flush();
    for (const k of keys) expect(await documentsPerHour(server, k.row.id)).toEqual([1]);
  });
});
