import { parse } from 'csv-parse/sync';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTeam, errorCode, startTestServer, type TestServer } from '../helpers/harness';
import { settleOutbox, until } from '../helpers/notify';
import { startReceiver, type Receiver } from '../helpers/webhook-receiver';

/**
 * Setting a key's policy (issue 24): who may set what, tenancy, the audit record and webhook event,
 * the CSV columns, the restrictions preview agreeing with verify, and a role change reaching
 * another instance within the revocation bound.
 */
let server: TestServer;
let rx: Receiver;
beforeAll(async () => {
  server = await startTestServer({ label: 'key-policy-admin', env: { WEBHOOKS_ALLOW_HTTP_LOOPBACK: 'true' } });
  rx = await startReceiver();
});
afterAll(async () => {
  await server.close();
  await rx.stop();
});

const verifyOn = async (s: TestServer, body: unknown) =>
  (await (await fetch(`${s.url}/v1/keys/verify`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) })).json()) as {
    valid: boolean;
    code?: string;
    reason?: string;
  };

describe('keys.update', () => {
  it('lets admins set everything, audits what changed before and after, and sends key.updated', async () => {
    const team = await createTeam(server);
    await team.admin.api.webhooks.create.mutate({ teamId: team.teamId, url: rx.url, events: ['key.updated'] });
    await team.admin.api.roles.upsert.mutate({ teamId: team.teamId, name: 'ops', permissions: ['ops.*'] });
    const { row } = await team.admin.api.keys.create.mutate({ teamId: team.teamId, name: 'svc', permissions: ['a.read'] });
    const updated = await team.admin.api.keys.update.mutate({
      teamId: team.teamId,
      keyId: row.id,
      permissions: ['a.read', 'b.write'],
      roles: ['ops'],
      restrictions: { ips: ['10.0.0.0/8'], origins: [] },
      meta: { env: 'prod' },
      externalId: 'svc-42',
    });
    expect(updated).toMatchObject({ id: row.id, permissions: ['a.read', 'b.write'], roles: ['ops'], restrictions: { ips: ['10.0.0.0/8'], origins: [] }, meta: { env: 'prod' }, externalId: 'svc-42' });
    const audit = await team.admin.api.audit.list.query({ teamId: team.teamId });
    const record = audit.items.find((a) => a.action === 'key.updated')!;
    expect(record.targets.ids).toEqual([row.id]);
    expect(record.details).toMatchObject({
      changes: {
        permissions: { before: ['a.read'], after: ['a.read', 'b.write'] },
        roles: { before: [], after: ['ops'] },
        restrictions: { before: { ips: [], origins: [] }, after: { ips: ['10.0.0.0/8'], origins: [] } },
        meta: { before: null, after: { env: 'prod' } },
        externalId: { before: null, after: 'svc-42' },
      },
    });
    await until(() => rx.of('key.updated').length > 0);
    await settleOutbox(server);
    const event = JSON.parse(rx.of('key.updated')[0]!.body);
    expect(event.data.keys.map((k: { id: string }) => k.id)).toEqual([row.id]);
    // The identity exists from its first key.
    expect((await team.admin.api.identities.get.query({ teamId: team.teamId, externalId: 'svc-42' })).keys.map((k) => k.id)).toEqual([row.id]);
  });

  it('lets a member set restrictions, meta and assignable roles on their own keys only', async () => {
    const team = await createTeam(server);
    const ann = await team.addUser('ann');
    const ben = await team.addUser('ben');
    await team.admin.api.roles.upsert.mutate({ teamId: team.teamId, name: 'reader', permissions: ['docs.read'], memberAssignable: true });
    await team.admin.api.roles.upsert.mutate({ teamId: team.teamId, name: 'root', permissions: ['admin.*'] });
    const { key, row } = await ann.api.keys.create.mutate({ teamId: team.teamId, name: 'ann ci', roles: ['reader'] });
    const { row: bens } = await ben.api.keys.create.mutate({ teamId: team.teamId, name: 'ben ci' });
    const ok = await ann.api.keys.update.mutate({ teamId: team.teamId, keyId: row.id, restrictions: { ips: ['203.0.113.0/24'], origins: [] }, meta: { team: 'web' }, roles: ['reader'] });
    expect(ok).toMatchObject({ roles: ['reader'], meta: { team: 'web' } });
    expect(await errorCode(ann.api.keys.update.mutate({ teamId: team.teamId, keyId: row.id, permissions: ['docs.read'] }))).toBe('FORBIDDEN');
    expect(await errorCode(ann.api.keys.update.mutate({ teamId: team.teamId, keyId: row.id, roles: ['reader', 'root'] }))).toBe('FORBIDDEN');
    expect(await errorCode(ann.api.keys.update.mutate({ teamId: team.teamId, keyId: row.id, externalId: 'cus_1' }))).toBe('FORBIDDEN');
    expect(await errorCode(ann.api.keys.create.mutate({ teamId: team.teamId, name: 'x', permissions: ['docs.read'] }))).toBe('FORBIDDEN');
    expect(await errorCode(ann.api.keys.update.mutate({ teamId: team.teamId, keyId: bens.id, meta: { mine: true } }))).toBe('NOT_FOUND');
    expect(await errorCode(ann.api.keys.update.mutate({ teamId: team.teamId, keyId: row.id, roles: ['nope'] }))).toBe('BAD_REQUEST');
    // Refused calls changed nothing.
    expect(await verifyOn(server, { key, permissions: 'docs.read', context: { ip: '203.0.113.1' } })).toMatchObject({ valid: true, permissions: ['docs.read'], meta: { team: 'web' } });
    // Admins set anything on a member's key.
    await team.admin.api.keys.update.mutate({ teamId: team.teamId, keyId: row.id, roles: ['reader', 'root'], permissions: ['x.y'] });
    expect(await errorCode(ann.api.roles.upsert.mutate({ teamId: team.teamId, name: 'mine', permissions: [] }))).toBe('FORBIDDEN');
    expect((await ann.api.roles.list.query({ teamId: team.teamId })).map((r) => r.name)).toEqual(['reader', 'root']);
  });

  it('refuses to change a revoked key with PRECONDITION_FAILED, and rejects bad values with BAD_REQUEST', async () => {
    const team = await createTeam(server);
    const { row } = await team.admin.api.keys.create.mutate({ teamId: team.teamId, name: 'old' });
    expect(await errorCode(team.admin.api.keys.update.mutate({ teamId: team.teamId, keyId: row.id, restrictions: { ips: ['10.0.0.0/33'], origins: [] } }))).toBe('BAD_REQUEST');
    expect(await errorCode(team.admin.api.keys.update.mutate({ teamId: team.teamId, keyId: row.id, meta: { big: 'x'.repeat(3000) } }))).toBe('BAD_REQUEST');
    // An update naming no field changes nothing and answers the row.
    expect(await team.admin.api.keys.update.mutate({ teamId: team.teamId, keyId: row.id })).toMatchObject({ id: row.id, permissions: [], meta: null });
    await team.admin.api.keys.revokeOwn.mutate({ teamId: team.teamId, keyId: row.id });
    expect(await errorCode(team.admin.api.keys.update.mutate({ teamId: team.teamId, keyId: row.id, meta: { late: true } }))).toBe('PRECONDITION_FAILED');
  });

  it('treats another team’s keys, roles and identities as absent', async () => {
    const a = await createTeam(server, 'A');
    const b = await createTeam(server, 'B');
    await a.admin.api.roles.upsert.mutate({ teamId: a.teamId, name: 'secret', permissions: ['x.y'] });
    const { row } = await a.admin.api.keys.create.mutate({ teamId: a.teamId, name: 'a key', externalId: 'cus_a' });
    expect(await errorCode(b.admin.api.keys.update.mutate({ teamId: b.teamId, keyId: row.id, meta: {} }))).toBe('NOT_FOUND');
    expect(await errorCode(b.admin.api.keys.update.mutate({ teamId: a.teamId, keyId: row.id, meta: {} }))).toBe('NOT_FOUND');
    expect(await errorCode(b.admin.api.keys.previewRestrictions.query({ teamId: b.teamId, keyId: row.id }))).toBe('NOT_FOUND');
    expect(await errorCode(b.admin.api.roles.delete.mutate({ teamId: b.teamId, name: 'secret' }))).toBe('NOT_FOUND');
    expect(await b.admin.api.roles.list.query({ teamId: b.teamId })).toEqual([]);
    expect(await errorCode(b.admin.api.keys.create.mutate({ teamId: b.teamId, name: 'b key', roles: ['secret'] }))).toBe('BAD_REQUEST');
    expect(await errorCode(b.admin.api.identities.get.query({ teamId: b.teamId, externalId: 'cus_a' }))).toBe('NOT_FOUND');
    expect(await errorCode(b.admin.api.identities.update.mutate({ teamId: b.teamId, externalId: 'cus_a', meta: { x: 1 } }))).toBe('NOT_FOUND');
    expect((await b.admin.api.identities.list.query({ teamId: b.teamId })).items).toEqual([]);
  });

  it('exports the policy columns in keys.csv', async () => {
    const team = await createTeam(server);
    await team.admin.api.roles.upsert.mutate({ teamId: team.teamId, name: 'ops', permissions: ['ops.read'] });
    await team.admin.api.keys.create.mutate({ teamId: team.teamId, name: 'svc', permissions: ['a.b', 'c.*'], roles: ['ops'], restrictions: { ips: ['10.0.0.0/8', '::1'], origins: ['https://*.example.com'] }, meta: { k: 'v' }, externalId: 'cus_9' });
    const res = await fetch(`${server.url}/v1/teams/${team.teamId}/keys.csv`, { headers: { authorization: `Bearer ${team.admin.token}` } });
    const [line] = parse(await res.text(), { columns: true }) as Record<string, string>[];
    expect(line).toMatchObject({ permissions: 'a.b c.*', roles: 'ops', restrictionsIps: '10.0.0.0/8 ::1', restrictionsOrigins: 'https://*.example.com', meta: '{"k":"v"}', externalId: 'cus_9' });
  });
});

describe('keys.previewRestrictions', () => {
  /** The recorded traffic: [context, query, times]. */
  const traffic: [{ ip?: string; origin?: string } | undefined, string | undefined, number][] = [
    [{ ip: '203.0.113.7', origin: 'https://app.example.com' }, 'docs.read', 3],
    [{ ip: '198.51.100.7' }, 'docs.read', 2],
    [{ ip: '203.0.113.8', origin: 'https://evil.test' }, undefined, 4],
    [undefined, 'docs.write', 1],
    [{ ip: '2001:db8::5', origin: 'https://app.example.com' }, 'docs.read AND docs.write', 1],
  ];
  const replay = async (key: string) => {
    const refused: Record<string, number> = {};
    for (const [context, permissions, times] of traffic) {
      for (let i = 0; i < times; i++) {
        const a = await verifyOn(server, { key, permissions, context });
        if (!a.valid) refused[a.reason ?? a.code!] = (refused[a.reason ?? a.code!] ?? 0) + 1;
      }
    }
    return refused;
  };

  it('counts what proposed settings would refuse of the recorded verifications, exactly what verify then refuses', async () => {
    const team = await createTeam(server);
    const { key, row } = await team.admin.api.keys.create.mutate({ teamId: team.teamId, name: 'svc', permissions: ['docs.*'] });
    expect(await replay(key)).toEqual({});
    const proposed = { permissions: ['docs.read'], restrictions: { ips: ['203.0.113.0/24', '2001:db8::/32'], origins: ['https://app.example.com'] } };
    const preview = await team.admin.api.keys.previewRestrictions.query({ teamId: team.teamId, keyId: row.id, ...proposed });
    expect(preview).toMatchObject({ days: 30, total: 11, wouldRefuse: 8, byReason: { IP_NOT_ALLOWED: 3, ORIGIN_NOT_ALLOWED: 4, INSUFFICIENT_PERMISSIONS: 1 }, unrecorded: 0 });
    expect(preview.samples[0]).toEqual({ ip: '203.0.113.8', origin: 'https://evil.test', count: 4 });
    expect(preview.samples).toContainEqual({ ip: '198.51.100.7', permissions: 'docs.read', count: 2 });
    expect(preview.samples).toContainEqual({ permissions: 'docs.write', count: 1 });
    // The current settings refuse nothing of it.
    expect((await team.admin.api.keys.previewRestrictions.query({ teamId: team.teamId, keyId: row.id })).wouldRefuse).toBe(0);

    await team.admin.api.keys.update.mutate({ teamId: team.teamId, keyId: row.id, ...proposed });
    const refused = await replay(key);
    expect(refused).toEqual({ IP_NOT_ALLOWED: 3, ORIGIN_NOT_ALLOWED: 4, INSUFFICIENT_PERMISSIONS: 1 });
    expect(Object.values(refused).reduce((n, c) => n + c, 0)).toBe(preview.wouldRefuse);
    // The calls the saved settings now refuse are not shut out by saving them again: nothing more is refused.
    expect(await team.admin.api.keys.previewRestrictions.query({ teamId: team.teamId, keyId: row.id, ...proposed })).toMatchObject({ total: 22, wouldRefuse: 0 });
    // Opening an address up again refuses nothing either.
    expect((await team.admin.api.keys.previewRestrictions.query({ teamId: team.teamId, keyId: row.id, restrictions: { ips: [], origins: ['https://app.example.com'] } })).wouldRefuse).toBe(0);
  });

  it('lets a member preview their own key only', async () => {
    const team = await createTeam(server);
    const ann = await team.addUser('ann');
    const ben = await team.addUser('ben');
    const { row } = await ann.api.keys.create.mutate({ teamId: team.teamId, name: 'ann ci' });
    expect((await ann.api.keys.previewRestrictions.query({ teamId: team.teamId, keyId: row.id, restrictions: { ips: ['10.0.0.1'], origins: [] }, days: 7 })).days).toBe(7);
    expect(await errorCode(ben.api.keys.previewRestrictions.query({ teamId: team.teamId, keyId: row.id }))).toBe('NOT_FOUND');
  });
});

describe('two instances', () => {
  it('sees a role change made on one instance on the other within the revocation bound', async () => {
    const other = await startTestServer({ label: 'key-policy-admin-2', dbName: server.dbName });
    try {
      const team = await createTeam(server);
      await team.admin.api.roles.upsert.mutate({ teamId: team.teamId, name: 'reader', permissions: ['docs.read'] });
      const { key } = await team.admin.api.keys.create.mutate({ teamId: team.teamId, name: 'shared', roles: ['reader'] });
      expect(await verifyOn(other, { key, permissions: 'docs.write' })).toEqual({ valid: false, code: 'INSUFFICIENT_PERMISSIONS' }); // cached on `other`
      await team.admin.api.roles.upsert.mutate({ teamId: team.teamId, name: 'reader', permissions: ['docs.*'] });
      const changedAt = Date.now();
      await expect.poll(async () => (await verifyOn(other, { key, permissions: 'docs.write' })).valid, { timeout: 30_000, interval: 50 }).toBe(true);
      // The bound is the ~1 s revision poll (≤ 2 s); a loaded machine gets slack, far below the 60 s cache TTL.
      expect(Date.now() - changedAt).toBeLessThan(5000);
    } finally {
      await other.stop();
    }
  });
});
