import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTeam, errorCode, startTestServer, type TestServer } from '../helpers/harness';
import { seedKey } from '../helpers/keys';
import { DAY } from '../helpers/notify';
import { verifyAnswer as verify, verifyTimes } from '../helpers/raw-http';

/**
 * Usage analytics over the real verify API, as read back: who may read it, the summary for revoke
 * confirmations, client addresses, the team overview and the CSV. Counting is in usage.test.ts.
 */
let server: TestServer;
beforeAll(async () => {
  server = await startTestServer({ label: 'usage-access' });
});
afterAll(() => server.close());

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

  it("records the holder's address the service passes as context.ip, not the service's own", async () => {
    const team = await createTeam(server);
    const { key, row } = await team.admin.api.keys.create.mutate({ teamId: team.teamId, name: 'behind a service' });
    for (const ip of ['203.0.113.40', '2001:db8::40']) {
      const res = await fetch(`${server.url}/v1/keys/verify`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ key, context: { ip } }) });
      expect(((await res.json()) as { valid: boolean }).valid).toBe(true);
    }
    await server.services.usage.flush();
    const usage = await team.admin.api.keys.usage.query({ teamId: team.teamId, keyId: row.id });
    expect(usage.distinctIps).toBe(2);
    expect(usage.lastIp).toBe('2001:db8::40');
    expect(JSON.stringify(usage)).not.toContain('127.0.0.1');
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
    expect(overview.totals).toEqual({ valid: 8, failed: { REVOKED: 1, DISABLED: 0, EXPIRED: 0 }, denied: { RATE_LIMITED: 0, USAGE_EXCEEDED: 0, FORBIDDEN: 0, INSUFFICIENT_PERMISSIONS: 0 } });
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
    expect(lines[0]).toBe('bucketStart,keyId,name,hint,valid,failedRevoked,failedDisabled,failedExpired,rateLimited,usageExceeded,forbidden,insufficientPermissions,distinctIps');
    const today = new Date(Math.floor(Date.now() / DAY) * DAY).toISOString();
    expect(lines.slice(1).sort()).toEqual([`${today},${busy.row.id},busy,${busy.row.hint},6,0,0,0,0,0,0,0,1`, `${today},${quiet.row.id},quiet,${quiet.row.hint},2,1,0,0,0,0,0,0,1`].sort());
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
