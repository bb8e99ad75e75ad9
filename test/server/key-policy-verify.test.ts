import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTeam, startTestServer, type TestServer } from '../helpers/harness';

/**
 * Verify decides a key's policy (issue 24): permissions and their wildcards, the query grammar,
 * roles (also when changed after the fact), address and origin restrictions (failing closed), and
 * answers meta and identity. Real server, real database, verify over HTTP.
 */
let server: TestServer;
beforeAll(async () => {
  server = await startTestServer({ label: 'key-policy-verify' });
});
afterAll(() => server.close());

const verify = async (body: unknown) => {
  const res = await fetch(`${server.url}/v1/keys/verify`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  return { status: res.status, body: await res.json() };
};
const answer = async (body: unknown) => (await verify(body)).body;

describe('permissions in verify', () => {
  it('grants by name and by a final wildcard segment, and answers the effective permissions sorted', async () => {
    const team = await createTeam(server);
    const { key } = await team.admin.api.keys.create.mutate({ teamId: team.teamId, name: 'svc', permissions: ['docs.read', 'billing.*'] });
    expect(await answer({ key, permissions: 'docs.read' })).toMatchObject({ valid: true, permissions: ['billing.*', 'docs.read'], roles: [] });
    expect((await answer({ key, permissions: 'billing.refund AND billing.invoices.read' })).valid).toBe(true);
    // `billing.*` grants what is below billing, not billing itself; `docs.read` grants nothing below it.
    expect(await answer({ key, permissions: 'billing' })).toEqual({ valid: false, code: 'INSUFFICIENT_PERMISSIONS' });
    expect(await answer({ key, permissions: 'docs.read.all' })).toEqual({ valid: false, code: 'INSUFFICIENT_PERMISSIONS' });
    expect(await answer({ key, permissions: 'docs.write' })).toEqual({ valid: false, code: 'INSUFFICIENT_PERMISSIONS' });
    expect((await answer({ key, permissions: 'docs.write OR (docs.read AND billing.x)' })).valid).toBe(true);
    expect(await answer({ key, permissions: 'docs.read AND (docs.write OR admin)' })).toEqual({ valid: false, code: 'INSUFFICIENT_PERMISSIONS' });
  });

  it('answers 400 saying where a query stops parsing, whatever the key', async () => {
    const team = await createTeam(server);
    const { key } = await team.admin.api.keys.create.mutate({ teamId: team.teamId, name: 'svc', permissions: ['docs.read'] });
    const bad = await verify({ key, permissions: 'docs.read AND (docs.write OR' });
    expect(bad.status).toBe(400);
    expect(bad.body.error).toBe('BAD_REQUEST');
    expect(bad.body.message).toMatch(/position 28/);
    expect((await verify({ key, permissions: 'docs.read AND AND x' })).body.message).toMatch(/position 14/);
    expect((await verify({ key, permissions: 'Docs.Read' })).status).toBe(400);
    expect((await verify({ key, permissions: 'a'.repeat(1001) })).status).toBe(400);
    expect((await verify({ key: 'kw_nonsense', permissions: '(' })).status).toBe(400);
  });

  it('resolves roles at verify time: a role changed or deleted after the fact changes the key at once', async () => {
    const team = await createTeam(server);
    await team.admin.api.roles.upsert.mutate({ teamId: team.teamId, name: 'reader', permissions: ['docs.read'] });
    await team.admin.api.roles.upsert.mutate({ teamId: team.teamId, name: 'billing', permissions: ['billing.read'] });
    const { key } = await team.admin.api.keys.create.mutate({ teamId: team.teamId, name: 'svc', roles: ['reader', 'billing'], permissions: ['own.thing'] });
    expect(await answer({ key, permissions: 'docs.read AND billing.read AND own.thing' })).toMatchObject({ valid: true, roles: ['reader', 'billing'], permissions: ['billing.read', 'docs.read', 'own.thing'] });
    expect((await answer({ key, permissions: 'docs.write' })).code).toBe('INSUFFICIENT_PERMISSIONS');
    await team.admin.api.roles.upsert.mutate({ teamId: team.teamId, name: 'reader', permissions: ['docs.*'] });
    expect((await answer({ key, permissions: 'docs.write' })).valid).toBe(true);
    await team.admin.api.roles.delete.mutate({ teamId: team.teamId, name: 'billing' });
    expect(await answer({ key, permissions: 'billing.read' })).toEqual({ valid: false, code: 'INSUFFICIENT_PERMISSIONS' });
    expect(await answer({ key })).toMatchObject({ valid: true, roles: ['reader'], permissions: ['docs.*', 'own.thing'] });
  });
});

describe('restrictions in verify', () => {
  it('allows listed IPv4 and IPv6 ranges, an IPv4-mapped IPv6 address by its IPv4 range, and refuses others with IP_NOT_ALLOWED', async () => {
    const team = await createTeam(server);
    const ips = ['203.0.113.0/24', '198.51.100.7', '2001:db8::/32'];
    const { key } = await team.admin.api.keys.create.mutate({ teamId: team.teamId, name: 'svc', restrictions: { ips, origins: [] } });
    for (const ip of ['203.0.113.9', '198.51.100.7', '::ffff:203.0.113.200', '::ffff:198.51.100.7', '2001:db8::1', '2001:db8:ffff::42']) {
      expect((await answer({ key, context: { ip } })).valid, ip).toBe(true);
    }
    for (const ip of ['203.0.114.1', '198.51.100.8', '::ffff:198.51.100.8', '2001:db9::1', '::1', '127.0.0.1']) {
      expect(await answer({ key, context: { ip } }), ip).toEqual({ valid: false, code: 'FORBIDDEN', reason: 'IP_NOT_ALLOWED' });
    }
  });

  it('fails closed: an address restriction without context.ip is refused, never judged by verify’s own caller', async () => {
    const team = await createTeam(server);
    // Verify's caller here is 127.0.0.1: were its address used, this key would pass.
    const { key } = await team.admin.api.keys.create.mutate({ teamId: team.teamId, name: 'svc', restrictions: { ips: ['127.0.0.0/8', '::1'], origins: [] } });
    expect(await answer({ key })).toEqual({ valid: false, code: 'FORBIDDEN', reason: 'IP_NOT_ALLOWED' });
    expect(await answer({ key, context: { origin: 'https://app.example.com' } })).toEqual({ valid: false, code: 'FORBIDDEN', reason: 'IP_NOT_ALLOWED' });
    expect((await answer({ key, context: { ip: '127.0.0.1' } })).valid).toBe(true);
    const { key: originKey } = await team.admin.api.keys.create.mutate({ teamId: team.teamId, name: 'web', restrictions: { ips: [], origins: ['https://app.example.com'] } });
    expect(await answer({ key: originKey, context: { ip: '203.0.113.1' } })).toEqual({ valid: false, code: 'FORBIDDEN', reason: 'ORIGIN_NOT_ALLOWED' });
  });

  it('matches exact origins and one leading wildcard label, which never matches a look-alike host', async () => {
    const team = await createTeam(server);
    const { key } = await team.admin.api.keys.create.mutate({ teamId: team.teamId, name: 'web', restrictions: { ips: [], origins: ['https://app.example.com', 'https://*.example.org'] } });
    for (const origin of ['https://app.example.com', 'https://a.example.org', 'https://b.a.example.org']) expect((await answer({ key, context: { origin } })).valid, origin).toBe(true);
    for (const origin of ['https://example.org', 'https://example.org.evil.test', 'http://app.example.com', 'https://app.example.com:8443', 'https://evil.com']) {
      expect(await answer({ key, context: { origin } }), origin).toEqual({ valid: false, code: 'FORBIDDEN', reason: 'ORIGIN_NOT_ALLOWED' });
    }
    expect((await verify({ key, context: { origin: 'not an origin' } })).status).toBe(400);
    expect((await verify({ key, context: { ip: '999.1.1.1' } })).status).toBe(400);
  });

  it('checks the key’s state first, then the address, then the origin, then the permissions, and counts both refusals per key and hour', async () => {
    const team = await createTeam(server);
    const { key, row } = await team.admin.api.keys.create.mutate({
      teamId: team.teamId,
      name: 'svc',
      permissions: ['docs.read'],
      restrictions: { ips: ['203.0.113.0/24'], origins: ['https://app.example.com'] },
    });
    const ok = { ip: '203.0.113.5', origin: 'https://app.example.com' };
    expect((await answer({ key, permissions: 'docs.write', context: { ...ok, ip: '10.0.0.1', origin: 'https://x.test' } })).reason).toBe('IP_NOT_ALLOWED');
    expect((await answer({ key, permissions: 'docs.write', context: { ...ok, origin: 'https://x.test' } })).reason).toBe('ORIGIN_NOT_ALLOWED');
    expect((await answer({ key, permissions: 'docs.write', context: ok })).code).toBe('INSUFFICIENT_PERMISSIONS');
    expect((await answer({ key, permissions: 'docs.read', context: ok })).valid).toBe(true);
    await server.services.usage.recorder.flush();
    const [hour] = await server.storage.repos.usage.ofKey(team.teamId, row.id, new Date(Date.now() - 3_600_000));
    expect(hour).toMatchObject({ valid: 1, forbidden: 2, insufficientPermissions: 1 });
    await team.admin.api.keys.disable.mutate({ teamId: team.teamId, keyIds: [row.id] });
    expect(await answer({ key, permissions: 'docs.write', context: { ip: '10.0.0.1' } })).toEqual({ valid: false, code: 'DISABLED' });
  });
});

describe('meta and identity in verify', () => {
  it('answers the key’s meta and its identity, and an identity’s new meta at once', async () => {
    const team = await createTeam(server);
    const { key, row } = await team.admin.api.keys.create.mutate({ teamId: team.teamId, name: 'acme prod', meta: { plan: 'pro', seats: 5 }, externalId: 'cus_123' });
    const first = await answer({ key });
    expect(first).toMatchObject({ valid: true, meta: { plan: 'pro', seats: 5 }, identity: { id: expect.stringMatching(/^idn_/), externalId: 'cus_123', meta: null } });
    // A second key of the same customer shares the identity.
    const { key: second } = await team.admin.api.keys.create.mutate({ teamId: team.teamId, name: 'acme staging', externalId: 'cus_123' });
    expect((await answer({ key: second })).identity).toEqual(first.identity);
    await team.admin.api.identities.update.mutate({ teamId: team.teamId, externalId: 'cus_123', meta: { tier: 'gold' } });
    expect((await answer({ key })).identity).toEqual({ ...first.identity, meta: { tier: 'gold' } });
    const got = await team.admin.api.identities.get.query({ teamId: team.teamId, externalId: 'cus_123' });
    expect(got.identity).toEqual({ id: first.identity.id, externalId: 'cus_123', meta: { tier: 'gold' }, ratelimits: [] });
    expect(got.keys.map((k) => k.name).sort()).toEqual(['acme prod', 'acme staging']);
    expect(got.keys.find((k) => k.id === row.id)).toMatchObject({ externalId: 'cus_123', meta: { plan: 'pro', seats: 5 } });
    const page = await team.admin.api.identities.list.query({ teamId: team.teamId });
    expect(page.items).toEqual([got.identity]);
    // Detached from its identity, the key answers none.
    await team.admin.api.keys.update.mutate({ teamId: team.teamId, keyId: row.id, externalId: null, meta: null });
    expect(await answer({ key })).toMatchObject({ valid: true, meta: null, identity: null });
  });

  it('shows the holder its policy on GET /v1/me, judged by the holder’s own address', async () => {
    const team = await createTeam(server);
    const { key } = await team.admin.api.keys.create.mutate({ teamId: team.teamId, name: 'svc', permissions: ['docs.read'], meta: { a: 1 }, restrictions: { ips: ['127.0.0.1', '::1'], origins: [] } });
    const res = await fetch(`${server.url}/v1/me`, { headers: { authorization: `Bearer ${key}` } });
    expect(res.status).toBe(200);
    expect((await res.json()).key).toMatchObject({ permissions: ['docs.read'], roles: [], meta: { a: 1 }, externalId: null, restrictions: { ips: ['127.0.0.1', '::1'], origins: [] } });
  });
});
