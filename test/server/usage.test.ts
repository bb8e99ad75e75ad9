import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateKey } from '../../shared/key-format';
import { INDEXES } from '../../server/db/indexes';
import { createTeam, startTestServer, type TestServer } from '../helpers/harness';
import { seedKey } from '../helpers/keys';
import { DAY, setClock } from '../helpers/notify';
import { verifyAnswer as verify, verifyTimes } from '../helpers/raw-http';

/**
 * Usage analytics over the real verify API: what is counted, in which hour and day, retention, and
 * the usage indexes. Who may read usage, the overview and the CSV are in usage-access.test.ts.
 */
let server: TestServer;
beforeAll(async () => {
  server = await startTestServer({ label: 'usage' });
});
afterAll(() => server.close());

const HOUR = 3_600_000;

const listRow = async (api: Awaited<ReturnType<typeof createTeam>>['admin']['api'], teamId: string, keyId: string) =>
  (await api.keys.list.query({ teamId, view: ['enabled', 'disabled', 'revoked'] })).items.find((r) => r.id === keyId)!;

describe('recording', () => {
  it('counts 25 verifies of a key in this hour, and 3 tries after its revocation', async () => {
    const team = await createTeam(server);
    const { key, row } = await team.admin.api.keys.create.mutate({ teamId: team.teamId, name: 'svc' });
    await verifyTimes(server, key, 25, { 'user-agent': 'billing-worker/1.2' });
    await server.services.usage.flush();

    const usage = await team.admin.api.keys.usage.query({ teamId: team.teamId, keyId: row.id, range: '24h' });
    expect(usage.totals).toEqual({ valid: 25, failed: { REVOKED: 0, DISABLED: 0, EXPIRED: 0 }, denied: { RATE_LIMITED: 0, USAGE_EXCEEDED: 0, FORBIDDEN: 0, INSUFFICIENT_PERMISSIONS: 0 } });
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
    expect(after.totals).toEqual({ valid: 25, failed: { REVOKED: 3, DISABLED: 0, EXPIRED: 0 }, denied: { RATE_LIMITED: 0, USAGE_EXCEEDED: 0, FORBIDDEN: 0, INSUFFICIENT_PERMISSIONS: 0 } });
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
    expect(usage.totals).toEqual({ valid: 2, failed: { REVOKED: 0, DISABLED: 4, EXPIRED: 0 }, denied: { RATE_LIMITED: 0, USAGE_EXCEEDED: 0, FORBIDDEN: 0, INSUFFICIENT_PERMISSIONS: 0 } });
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

describe('indexes', () => {
  it('declares and creates the per-key and per-team usage indexes that real MongoDB reads by', async () => {
    const declared = INDEXES.usage.map((i) => i.key);
    expect(declared).toEqual(expect.arrayContaining([{ keyId: 1, hour: 1 }, { teamId: 1, hour: 1 }, { hour: 1 }]));
    const created = (await server.storage.cols.usage.listIndexes().toArray()).map((i) => i.name);
    expect(created).toEqual(expect.arrayContaining(INDEXES.usage.map((i) => i.name)));
  });
});
