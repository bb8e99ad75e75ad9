import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTeam, startTestServer, type TestServer } from '../helpers/harness';
import { isCommand, startProxiedDatabase, type DbProxy } from '../helpers/db-proxy';
import { verifyKey } from '../helpers/keys';
import { until } from '../helpers/notify';

/** How usage counts reach the database: in the background, exactly once, through outages and restarts. */
const verifyTimes = async (server: TestServer, key: string, n: number) => {
  for (let i = 0; i < n; i++) expect((await verifyKey(server, key)).valid).toBe(true);
};

/** The flush documents of a key, as (instance, hour) -> how many documents. */
async function documentsPerInstanceHour(server: TestServer, keyId: string): Promise<number[]> {
  const docs = await server.storage.cols.usage.find({ keyId }, { projection: { instance: 1, hour: 1 } }).toArray();
  const groups = new Map<string, number>();
  for (const d of docs) groups.set(`${d.instance}|${d.hour.getTime()}`, (groups.get(`${d.instance}|${d.hour.getTime()}`) ?? 0) + 1);
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
    const cut = proxy.cutOn(isCommand('insert', 'usage'), 'forward');
    await expect(server.services.usage.flush()).rejects.toThrow();
    await cut;
    proxy.restore();
    // The insert reached the database: the totals of 15 are stored beside the earlier ones of 10.
    const stored = await until(async () => {
      const docs = await server.storage.cols.usage.find({ keyId: row.id }).toArray().catch(() => []);
      return docs.some((d) => d.valid === 15) ? docs : null;
    });
    expect(stored.map((d) => d.valid).sort((a, b) => a - b)).toEqual([10, 15]);
    // Reads take the newest totals, not the sum of both documents.
    const read = () => team.admin.api.keys.usage.query({ teamId: team.teamId, keyId: row.id }).then((u) => u.totals.valid);
    expect(await until(() => read().catch(() => null))).toBe(15);

    await verifyTimes(server, key, 2);
    // The next flush (retried until the driver has reconnected) writes the totals again, under new ids.
    await until(() => server.services.usage.flush().then(() => true, () => false));
    expect(await read()).toBe(17);
    const usage = await team.admin.api.keys.usage.query({ teamId: team.teamId, keyId: row.id, range: '7d' });
    expect(usage.totals.valid).toBe(17);
    expect(usage.buckets.reduce((n, b) => n + b.valid, 0)).toBe(17);
    expect((await team.admin.api.keys.list.query({ teamId: team.teamId, view: ['enabled'] })).items[0]!.usage).toEqual({ last24h: 17, last7d: 17 });
    // The superseded documents, the one whose answer was lost included, are gone.
    const groups = await documentsPerInstanceHour(server, row.id);
    expect(groups.length).toBeGreaterThan(0);
    expect(groups.every((n) => n === 1)).toBe(true);
  });

  it('ignores documents a retried insert finds already stored', async () => {
    const record = {
      id: `test:1:key_retry:${Date.UTC(2026, 0, 1)}`,
      instance: 'test',
      seq: 1,
      teamId: 'team_retry',
      keyId: 'key_retry',
      hour: new Date(Date.UTC(2026, 0, 1)),
      valid: 3,
      revoked: 0,
      disabled: 0,
      expired: 0,
      malformed: 0,
      notFound: 0,
      ips: [],
      ipsCapped: false,
      lastValidAt: null,
      lastValidIp: null,
      lastValidUa: null,
      lastFailAt: null,
      lastFailCode: null,
      lastFailIp: null,
      lastFailUa: null,
    };
    await server.storage.repos.usage.insertFlush([record]);
    await server.storage.repos.usage.insertFlush([record, { ...record, id: record.id.replace(':1:', ':2:'), seq: 2, valid: 4 }]);
    expect(await server.storage.cols.usage.countDocuments({ keyId: 'key_retry' })).toBe(2);
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
    // Superseded documents are deleted: about one per key and hour remains.
    await server.services.usage.flush();
    for (const k of keys) expect((await documentsPerInstanceHour(server, k.row.id)).every((n) => n === 1)).toBe(true);
  });
});
