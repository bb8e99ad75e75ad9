import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Keywarden } from '@keywarden/sdk';
import { createTeam, startTestServer, type TestServer } from '../helpers/harness';
import { startHttpGate, type HttpGate } from '../helpers/http-gate';
import { startExpressApp, startHonoApp, type KeyedApp } from '../helpers/sdk-apps';
import { generateKey } from '../../shared/key-format';

/**
 * The SDK (built package, as a service imports it) against a real Keywarden on loopback, through
 * a counting HTTP gate, inside real Hono and Express apps. No feed here (no token): answers live
 * at most fallbackTtlSeconds. The feed's part is in sdk-feed.test.ts.
 */
let server: TestServer;
let gate: HttpGate;
let team: Awaited<ReturnType<typeof createTeam>>;
const started: { stop(): Promise<void> }[] = [];
const clients: Keywarden[] = [];

beforeAll(async () => {
  server = await startTestServer({ label: 'sdk' });
  gate = await startHttpGate(server.url);
  team = await createTeam(server);
});
afterAll(async () => {
  for (const c of clients) await c.close();
  for (const s of started) await s.stop();
  await gate.stop();
  await server.close();
});

const sdk = (options: Partial<ConstructorParameters<typeof Keywarden>[0]> = {}) => {
  const kw = new Keywarden({ baseUrl: gate.url, ...options });
  clients.push(kw);
  return kw;
};
const app = async <T extends KeyedApp>(p: Promise<T>) => {
  const a = await p;
  started.push(a);
  return a;
};
const newKey = async (name = 'svc') => team.admin.api.keys.create.mutate({ teamId: team.teamId, name });
const verifies = () => gate.count('/v1/keys/verify');
const get = (url: string, key?: string, headers: Record<string, string> = {}) => fetch(url, { headers: { ...(key ? { authorization: `Bearer ${key}` } : {}), ...headers } });

/** Every string reachable from `root` (own properties, Maps, Sets, arrays), to look for a plaintext. */
function strings(root: unknown, seen = new Set<unknown>()): string[] {
  if (typeof root === 'string') return [root];
  if (!root || typeof root !== 'object' || seen.has(root)) return [];
  seen.add(root);
  const children: unknown[] = root instanceof Map ? [...root.keys(), ...root.values()] : root instanceof Set ? [...root] : Object.values(root);
  return children.flatMap((c) => strings(c, seen));
}

describe.each([
  ['Hono', startHonoApp],
  ['Express', startExpressApp],
])('keyAuth for %s', (_name, start) => {
  it('answers 401 problem+json with WWW-Authenticate without a key, and for a malformed or unknown one', async () => {
    const a = await app(start(sdk()));
    for (const key of [undefined, 'kw_not-a-key', generateKey()]) {
      const res = await get(`${a.url}/api/hello`, key);
      expect(res.status).toBe(401);
      expect(res.headers.get('www-authenticate')).toBe('Bearer error="invalid_token"');
      expect(res.headers.get('content-type')).toContain('application/problem+json');
      expect((await res.json()).code).toBe(key === undefined ? 'MISSING' : key.length < 20 ? 'MALFORMED' : 'NOT_FOUND');
    }
  });

  it('lets a valid key through with its keyId, and refuses it once revoked', async () => {
    const kw = sdk({ fallbackTtlSeconds: 1 });
    const a = await app(start(kw));
    const created = await newKey();
    const res = await get(`${a.url}/api/hello`, created.key);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ keyId: created.row.id });
    await team.admin.api.keys.revoke.mutate({ teamId: team.teamId, keyIds: [created.row.id] });
    // Without a feed the cached answer lives at most fallbackTtlSeconds (1 s here).
    const deadline = Date.now() + 10_000;
    let last = 200;
    while (last === 200 && Date.now() < deadline) last = (await get(`${a.url}/api/hello`, created.key)).status;
    expect(last).toBe(401);
  });

  it('reads the key from a named header', async () => {
    const a = await app(start(sdk(), { header: 'x-api-key' }));
    const created = await newKey();
    expect((await get(`${a.url}/api/hello`, undefined, { 'x-api-key': created.key })).status).toBe(200);
    expect((await get(`${a.url}/api/hello`, created.key)).status).toBe(401);
  });

  it('answers 429 with Retry-After and RateLimit headers once the key is over its rate limit', async () => {
    const a = await app(start(sdk()));
    const created = await team.admin.api.keys.create.mutate({ teamId: team.teamId, name: 'one a minute', ratelimits: [{ name: 'api', limit: 1, durationMs: 60_000 }] });
    expect((await get(`${a.url}/api/hello`, created.key)).status).toBe(200);
    const res = await get(`${a.url}/api/hello`, created.key);
    expect(res.status).toBe(429);
    expect(res.headers.get('content-type')).toContain('application/problem+json');
    expect(Number(res.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(res.headers.get('ratelimit-limit')).toBe('1');
    expect(res.headers.get('ratelimit-remaining')).toBe('0');
    expect(Number(res.headers.get('ratelimit-reset'))).toBeGreaterThan(0);
    expect((await res.json()).code).toBe('RATE_LIMITED');
  });

  it('answers 503 when the server cannot be reached and the key is not cached, never letting it through', async () => {
    const down = await startHttpGate(server.url);
    const kw = sdk({ baseUrl: down.url });
    const a = await app(start(kw));
    await down.stop();
    const res = await get(`${a.url}/api/hello`, (await newKey()).key);
    expect(res.status).toBe(503);
    expect(res.headers.get('content-type')).toContain('application/problem+json');
    expect((await res.json()).code).toBe('UNAVAILABLE');
  });
});

describe('Keywarden.verify', () => {
  it('imports in plain Node from the built package, with its Hono and Express entry points', () => {
    const script = "const [a, h, e] = await Promise.all([import('@keywarden/sdk'), import('@keywarden/sdk/hono'), import('@keywarden/sdk/express')]); console.log(typeof a.Keywarden, typeof a.KeywardenUnavailableError, typeof h.keyAuth, typeof e.keyAuth);";
    const run = spawnSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8', cwd: process.cwd() });
    expect(run.stderr).toBe('');
    expect(run.stdout.trim()).toBe('function function function function');
  });

  it('answers exactly what POST /v1/keys/verify answers', async () => {
    const created = await newKey();
    const direct = await (await fetch(`${server.url}/v1/keys/verify`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ key: created.key }) })).json();
    expect(await sdk().verify(created.key)).toEqual(direct);
  });

  it('refuses malformed keys without a network call', async () => {
    const kw = sdk();
    const before = verifies();
    // The last checksum character changed (never to itself): the checksum no longer matches.
    const good = generateKey();
    const bad = good.slice(0, -1) + (good.endsWith('x') ? 'y' : 'x');
    for (const key of ['', 'kw_short', bad, 'sk_' + generateKey().slice(3)]) expect(await kw.verify(key)).toEqual({ valid: false, code: 'MALFORMED' });
    expect(verifies()).toBe(before);
  });

  it('answers a cached key from memory, and asks the server for every call with a cost', async () => {
    const kw = sdk();
    const created = await newKey();
    await kw.verify(created.key);
    const before = verifies();
    for (let i = 0; i < 5; i++) expect((await kw.verify(created.key)).valid).toBe(true);
    expect(verifies()).toBe(before);
    for (let i = 0; i < 3; i++) await kw.verify(created.key, { cost: 1 });
    expect(verifies()).toBe(before + 3);
  });

  it('keeps an answer no longer than the key lives', async () => {
    const kw = sdk({ fallbackTtlSeconds: 300 });
    const created = await team.admin.api.keys.create.mutate({ teamId: team.teamId, name: 'short', expiresAt: new Date(Date.now() + 1500) });
    expect((await kw.verify(created.key)).valid).toBe(true);
    const deadline = Date.now() + 10_000;
    let answer = await kw.verify(created.key);
    while (answer.valid && Date.now() < deadline) answer = await kw.verify(created.key);
    expect(answer).toEqual({ valid: false, code: 'EXPIRED' });
  });

  it('asks the server on every call for a key with a rate limit or credits (the server keeps the count)', async () => {
    const kw = sdk({ fallbackTtlSeconds: 300 });
    const limited = await team.admin.api.keys.create.mutate({ teamId: team.teamId, name: 'limited', ratelimits: [{ name: 'api', limit: 1000, durationMs: 60_000 }] });
    const metered = await team.admin.api.keys.create.mutate({ teamId: team.teamId, name: 'metered', credits: { remaining: 1000 } });
    for (const { key } of [limited, metered]) {
      const before = verifies();
      for (let i = 0; i < 3; i++) expect((await kw.verify(key)).valid).toBe(true);
      expect(verifies()).toBe(before + 3);
    }
    expect(await kw.verify(metered.key)).toMatchObject({ valid: true, credits: { remaining: 996 } });
    expect(kw.cachedDigests()).toEqual([]);
  });

  it('holds the SHA-256 of each cached key, never the key', async () => {
    const kw = sdk();
    const keys = [await newKey(), await newKey()];
    for (const k of keys) expect((await kw.verify(k.key, { context: { ip: '203.0.113.9' } })).valid).toBe(true);
    expect(kw.cachedDigests().sort()).toEqual(keys.map((k) => createHash('sha256').update(k.key).digest('hex')).sort());
    const held = strings(kw);
    for (const k of keys) expect(held.some((s) => s.includes(k.key) || s.includes(k.key.slice(3)))).toBe(false);
  });
});
