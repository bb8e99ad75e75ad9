import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateKey } from '../../shared/key-format';
import { INDEXES } from '../../server/db/indexes';
import { createTeam, errorCode, startTestServer, type TestServer } from '../helpers/harness';
import { seedKey } from '../helpers/keys';
import { DAY, setClock } from '../helpers/notify';

/** Usage analytics over the real verify API: counts, who may read them, the list's columns, overview and CSV. */
let server: TestServer;
beforeAll(async () => {
  server = await startTestServer({ label: 'usage' });
});
afterAll(() => server.close());

const HOUR = 3_600_000;

async function verify(target: TestServer, key: string, headers: Record<string, string> = {}) {
  const res = await fetch(`${target.url}/v1/keys/verify`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify({ key }) });
  return (await res.json()) as { valid: boolean; code?: string };
}

async function verifyTimes(target: TestServer, key: string, n: number, headers: Record<string, string> = {}) {
  for (let i = 0; i < n; i++) await verify(target, key, headers);
}

const listRow = async (api: Awaited<ReturnType<typeof createTeam>>['admin']['api'], teamId: string, keyId: string) =>
  (await api.keys.list.query({ teamId, view: ['enabled', 'disabled', 'revoked'] })).items.find((r) => r.id === keyId)!;

describe('recording', () => {
  it('counts 25 verifies of a key in this hour, and 3 tries after its revocation', async () => {
    const team = await createTeam(server);
    const { key, row } = await team.admin.api.keys.create.mutate({ teamId: team.teamId, name: 'svc' });
    await verifyTimes(server, key, 25, { 'user-agent': 'billing-worker/1.2' });
    await server.services.usage.flush();

    const usage = await team.admin.api.keys.usage.query({ teamId: team.teamId, keyId: row.id, range: '24h' });
    expect(usage.totals).toEqual({ valid: 25, failed: { REVOKED: 0, DISABLED: 0, EXPIRED: 0 } });
    expect(usage.bucket).toBe('hour');
    expect(usage.buckets).toHaveLength(24);
    const thisHour = usage.buckets.at(-1)!;
    expect(thisHour.at.getTime()).toBe(Math.floor(Date.now() / HOUR) * HOUR);
    expect(thisHour.valid).toBe(25);
    expect(usage.buckets.slice(0, -1).every((b) => b.valid === 0)).toBe(true);
    expect(usage).toMatchObject({ keyId: row.id, range: '24h', distinctIps: 1, distinctIpsCapped: false, lastIp: '127.0.0.1', lastUserAgent: 'billing-worker/1.2', lastFailure: null });
    expect(Date.now() - usage.lastUsedAt!.getTime()).toBeLessThan(60_000);
    expect(await listRow(team.admin.api, team.teamId, row.id)).toMatchObject({ usage: { last24h: 25, last7d: 25 }, triedAfterRevoke: 0 });

    await team.admin.api.keys.revoke.mutate({ teamId: team.teamId, keyIds: [row.id] });
    for (let i = 0; i < 3; i++) expect((await verify(server, key, { 'user-agent': 'stale-cron' })).code).toBe('REVOKED');
    await server.services.usage.flush();

    const after = await team.admin.api.keys.usage.query({ teamId: team.teamId, keyId: row.id, range: '24h' });
    expect(after.totals).toEqual({ valid: 25, failed: { REVOKED: 3, DISABLED: 0, EXPIRED: 0 } });
    expect(after.lastFailure).toMatchObject({ code: 'REVOKED', ip: '127.0.0.1', userAgent: 'stale-cron' });
    expect(await listRow(team.admin.api, team.teamId, row.id)).toMatchObject({ status: 'revoked', usage: { last24h: 25, last7d: 25 }, triedAfterRevoke: 3 });
  });

  it('counts a disabled key\'s tries since it was disabled, and no longer once it works again', async () => {
    const team = await createTeam(server);
    const { key, row } = await team.admin.api.keys.create.mutate({ teamId: team.teamId, name: 'paused' });
    await team.admin.api.keys.disable.mutate({ teamId: team.teamId, keyIds: [row.id] });
    for (let i = 0; i < 4; i++) expect((await verify(server, key)).code).toBe('DISABLED');
    await server.services.usage.flush();
    expect(await listRow(team.admin.api, team.teamId, row.id)).toMatchObject({ status: 'disabled', triedAfterRevoke: 4 });

    await team.admin.api.keys.enable.mutate({ teamId: team.teamId, keyIds: [row.id] });
    await verifyTimes(server, key, 2);
    await server.services.usage.flush();
    const usage = await team.admin.api.keys.usage.query({ teamId: team.teamId, keyId: row.id, range: '7d' });
    expect(usage.totals).toEqual({ valid: 2, failed: { REVOKED: 0, DISABLED: 4, EXPIRED: 0 } });
    expect(await listRow(team.admin.api, team.teamId, row.id)).toMatchObject({ status: 'enabled', usage: { last24h: 2, last7d: 2 }, triedAfterRevoke: 0 });
  });

  it('counts an expired key\'s tries as EXPIRED and as tries after it stopped working', async () => {
    const team = await createTeam(server);
    const k = await seedKey(server, { teamId: team.teamId, ownerId: team.admin.userId, expiresAt: new Date(Date.now() - 1000) });
    for (let i = 0; i < 2; i++) expect((await verify(server, k.value)).code).toBe('EXPIRED');
    await server.services.usage.flush();
    expect((await team.admin.api.keys.usage.query({ teamId: team.teamId, keyId: k.id })).totals.failed).toEqual({ REVOKED: 0, DISABLED: 0, EXPIRED: 2 });
    expect(await listRow(team.admin.api, team.teamId, k.id)).toMatchObject({ status: 'revoked', revokedReason: 'expired', triedAfterRevoke: 2 });
  });

  it('counts malformed and unknown keys per hour for the instance, attributed to no team', async () => {
    const since = new Date(Math.floor(Date.now() / HOUR) * HOUR);
    const sum = async () => (await server.services.usage.unattributed(since)).reduce((s, h) => ({ malformed: s.malformed + h.malformed, notFound: s.notFound + h.notFound }), { malformed: 0, notFound: 0 });
    await server.services.usage.flush();
    const before = await sum();
    await verifyTimes(server, 'kw_nope', 3);
    await verifyTimes(server, generateKey(), 2);
    await server.services.usage.flush();
    const after = await sum();
    expect({ malformed: after.malformed - before.malformed, notFound: after.notFound - before.notFound }).toEqual({ malformed: 3, notFound: 2 });
  });

  it('counts GET /v1/me as a use of the key', async () => {
    const team = await createTeam(server);
    const { key, row } = await team.admin.api.keys.create.mutate({ teamId: team.teamId, name: 'me' });
    for (let i = 0; i < 2; i++) expect((await fetch(`${server.url}/v1/me`, { headers: { authorization: `Bearer ${key}` } })).status).toBe(200);
    await server.services.usage.flush();
    expect((await team.admin.api.keys.usage.query({ teamId: team.teamId, keyId: row.id })).totals.valid).toBe(2);
  });

  it('puts each use in its hour and UTC day, and purges what is past retention', async () => {
    const team = await createTeam(server);
    const { key, row } = await team.admin.api.keys.create.mutate({ teamId: team.teamId, name: 'history' });
    try {
      for (const [offset, n] of [[-3 * HOUR, 2], [-2 * DAY, 4], [-100 * DAY, 7]] as const) {
        setClock(server, offset);
        await verifyTimes(server, key, n);
      }
    } finally {
      server.deps.now = () => new Date();
    }
    await verifyTimes(server, key, 5);
    await server.services.usage.flush();

    const day = await team.admin.api.keys.usage.query({ teamId: team.teamId, keyId: row.id, range: '24h' });
    expect(day.totals.valid).toBe(7);
    const hourOf = (t: number) => day.buckets.findIndex((b) => b.at.getTime() === Math.floor(t / HOUR) * HOUR);
    expect(day.buckets[hourOf(Date.now() - 3 * HOUR)]!.valid).toBe(2);
    expect(day.buckets.at(-1)!.valid).toBe(5);

    const month = await team.admin.api.keys.usage.query({ teamId: team.teamId, keyId: row.id, range: '30d' });
    expect(month.bucket).toBe('day');
    expect(month.buckets).toHaveLength(30);
    expect(month.totals.valid).toBe(11);
    const dayOf = (t: number) => month.buckets.findIndex((b) => b.at.getTime() === Math.floor(t / DAY) * DAY);
    expect(month.buckets[dayOf(Date.now() - 2 * DAY)]!.valid).toBe(4);
    expect(month.buckets.at(-1)!.at.getTime()).toBe(Math.floor(Date.now() / DAY) * DAY);

    // 100 days ago is past the default 90-day retention: counted, stored, then purged by the background pass.
    // About storage: retention is checked on the documents themselves (no API shows data that old).
    expect(await server.storage.cols.usage.countDocuments({ keyId: row.id, hour: { $lt: new Date(Date.now() - 90 * DAY) } })).toBeGreaterThan(0);
    await server.services.usage.purge();
    expect(await server.storage.cols.usage.countDocuments({ keyId: row.id, hour: { $lt: new Date(Date.now() - 90 * DAY) } })).toBe(0);
    expect((await team.admin.api.keys.usage.query({ teamId: team.teamId, keyId: row.id, range: '30d' })).totals.valid).toBe(11);
  });
});

describe('who may read usage', () => {
  it('lets a member read their own key, and answers NOT_FOUND for a teammate\'s key and for another team', async () => {
    const team = await createTeam(server);
    const member = await team.addUser('mia');
    const teammate = await team.addUser('tom');
    const own = await member.api.keys.create.mutate({ teamId: team.teamId, name: 'mine' });
    const theirs = await teammate.api.keys.create.mutate({ teamId: team.teamId, name: 'theirs' });
    await verifyTimes(server, own.key, 2);
    await verifyTimes(server, theirs.key, 1);
    await server.services.usage.flush();

    expect((await member.api.keys.usage.query({ teamId: team.teamId, keyId: own.row.id })).totals.valid).toBe(2);
    expect(await errorCode(member.api.keys.usage.query({ teamId: team.teamId, keyId: theirs.row.id }))).toBe('NOT_FOUND');
    expect(await errorCode(member.api.keys.usage.query({ teamId: team.teamId, keyId: 'key_doesnotexist' }))).toBe('NOT_FOUND');
    // An admin reads any key of the team.
    expect((await team.admin.api.keys.usage.query({ teamId: team.teamId, keyId: theirs.row.id })).totals.valid).toBe(1);

    const other = await createTeam(server, 'Other');
    expect(await errorCode(other.admin.api.keys.usage.query({ teamId: team.teamId, keyId: own.row.id }))).toBe('NOT_FOUND');
    expect(await errorCode(other.admin.api.keys.usage.query({ teamId: other.teamId, keyId: own.row.id }))).toBe('NOT_FOUND');
    expect(await errorCode(other.admin.api.keys.usageSummary.query({ teamId: team.teamId, keyIds: [own.row.id] }))).toBe('NOT_FOUND');

    // The bulk summary leaves out keys the caller may not see, like keys that do not exist.
    const summary = await member.api.keys.usageSummary.query({ teamId: team.teamId, keyIds: [own.row.id, theirs.row.id] });
    expect(summary).toMatchObject({ keys: [{ keyId: own.row.id, last24h: 2, lastIp: '127.0.0.1' }], usedLast24h: 1, totalLast24h: 2 });
    expect(await errorCode(member.api.usage.overview.query({ teamId: team.teamId }))).toBe('FORBIDDEN');
  });
});

describe('for revoke confirmations', () => {
  it('says how many of the selected keys were used in the last 24 h', async () => {
    const team = await createTeam(server);
    const keys = await Promise.all(['a', 'b', 'c'].map((name) => team.admin.api.keys.create.mutate({ teamId: team.teamId, name })));
    await verifyTimes(server, keys[0]!.key, 3);
    await verifyTimes(server, keys[2]!.key, 1);
    await server.services.usage.flush();
    const summary = await team.admin.api.keys.usageSummary.query({ teamId: team.teamId, keyIds: keys.map((k) => k.row.id) });
    expect(summary.usedLast24h).toBe(2);
    expect(summary.totalLast24h).toBe(4);
    expect(summary.keys.map((k) => [k.keyId, k.last24h])).toEqual([[keys[0]!.row.id, 3], [keys[1]!.row.id, 0], [keys[2]!.row.id, 1]]);
    expect(summary.keys[1]!.lastUsedAt).toBeNull();
  });
});

describe('addresses', () => {
  it('takes the address from X-Forwarded-For only with TRUST_PROXY, and counts distinct addresses', async () => {
    const proxied = await startTestServer({ label: 'usage-proxy', env: { MONGODB_DB: server.dbName, TRUST_PROXY: 'true' } });
    try {
      const team = await createTeam(server);
      const { key, row } = await team.admin.api.keys.create.mutate({ teamId: team.teamId, name: 'edge' });
      for (const ip of ['203.0.113.5', '203.0.113.6', '203.0.113.5', '198.51.100.7']) await verify(proxied, key, { 'x-forwarded-for': `${ip}, 10.0.0.1` });
      // Without TRUST_PROXY the header is ignored: the socket's address counts.
      await verify(server, key, { 'x-forwarded-for': '192.0.2.99' });
      await Promise.all([proxied.services.usage.flush(), server.services.usage.flush()]);
      const usage = await team.admin.api.keys.usage.query({ teamId: team.teamId, keyId: row.id });
      expect(usage.totals.valid).toBe(5);
      // Two instances each wrote their own totals: they are added, their addresses joined.
      expect(usage.distinctIps).toBe(4);
      expect(usage.buckets.at(-1)!.distinctIps).toBe(4);
      expect(['127.0.0.1', '198.51.100.7']).toContain(usage.lastIp);
      expect(JSON.stringify(usage)).not.toContain('192.0.2.99');
    } finally {
      await proxied.stop();
    }
  });
});

describe('usage.overview and the CSV export', () => {
  it('shows the team\'s verifications per bucket, its top keys, and never-used and idle keys', async () => {
    const team = await createTeam(server);
    const busy = await team.admin.api.keys.create.mutate({ teamId: team.teamId, name: 'busy' });
    const quiet = await team.admin.api.keys.create.mutate({ teamId: team.teamId, name: 'quiet' });
    await team.admin.api.keys.create.mutate({ teamId: team.teamId, name: 'never' });
    await seedKey(server, { teamId: team.teamId, ownerId: team.admin.userId, name: 'idle', lastUsedAt: new Date(Date.now() - 45 * DAY) });
    await seedKey(server, { teamId: team.teamId, ownerId: team.admin.userId, name: 'gone', status: 'revoked' });
    await verifyTimes(server, busy.key, 6);
    await verifyTimes(server, quiet.key, 2);
    await team.admin.api.keys.revoke.mutate({ teamId: team.teamId, keyIds: [quiet.row.id] });
    await verifyTimes(server, quiet.key, 1);
    // "Never used" and "idle" read the keys' last use, which verify writes in the background too.
    await Promise.all([server.services.usage.flush(), server.services.verify.flush()]);

    const overview = await team.admin.api.usage.overview.query({ teamId: team.teamId, range: '24h' });
    expect(overview.totals).toEqual({ valid: 8, failed: { REVOKED: 1, DISABLED: 0, EXPIRED: 0 } });
    expect(overview.buckets).toHaveLength(24);
    expect(overview.buckets.at(-1)).toMatchObject({ valid: 8, failed: { REVOKED: 1 } });
    expect(overview.topKeys.map((k) => [k.name, k.status, k.valid, k.failed])).toEqual([
      ['busy', 'enabled', 6, 0],
      ['quiet', 'revoked', 2, 1],
    ]);
    expect(overview).toMatchObject({ keysUsed: 2, neverUsed: 1, unusedFor30Days: 1 });
    expect((await team.admin.api.usage.overview.query({ teamId: team.teamId, range: '30d' })).buckets).toHaveLength(30);

    const csv = await fetch(`${server.url}/v1/teams/${team.teamId}/usage.csv?range=30d`, { headers: { authorization: `Bearer ${team.admin.token}` } });
    expect(csv.status).toBe(200);
    const lines = (await csv.text()).trim().split('\r\n');
    expect(lines[0]).toBe('bucketStart,keyId,name,hint,valid,failedRevoked,failedDisabled,failedExpired,distinctIps');
    const today = new Date(Math.floor(Date.now() / DAY) * DAY).toISOString();
    expect(lines.slice(1).sort()).toEqual([`${today},${busy.row.id},busy,${busy.row.hint},6,0,0,0,1`, `${today},${quiet.row.id},quiet,${quiet.row.hint},2,1,0,0,1`].sort());
  });

  it('refuses the CSV to members, other teams and an unknown range', async () => {
    const team = await createTeam(server);
    const member = await team.addUser('m');
    const other = await createTeam(server, 'Other');
    const get = (token: string, query = '') => fetch(`${server.url}/v1/teams/${team.teamId}/usage.csv${query}`, { headers: { authorization: `Bearer ${token}` } });
    expect((await get(member.token)).status).toBe(403);
    expect((await get(other.admin.token)).status).toBe(404);
    const bad = await get(team.admin.token, '?range=1y');
    expect(bad.status).toBe(400);
    expect((await bad.json()).message).toMatch(/range/);
    expect((await get(team.admin.token, '?range=24h')).status).toBe(200);
  });
});

describe('indexes', () => {
  it('declares and creates the per-key and per-team usage indexes that real MongoDB reads by', async () => {
    const declared = INDEXES.usage.map((i) => i.key);
    expect(declared).toEqual(expect.arrayContaining([{ keyId: 1, hour: 1 }, { teamId: 1, hour: 1 }, { hour: 1 }]));
    const created = (await server.storage.cols.usage.listIndexes().toArray()).map((i) => i.name);
    expect(created).toEqual(expect.arrayContaining(INDEXES.usage.map((i) => i.name)));
  });
});
