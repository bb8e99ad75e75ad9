import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Keywarden } from '@keywarden/sdk';
import { createTeam, startTestServer, type TestServer } from '../helpers/harness';
import { startHttpGate, type HttpGate } from '../helpers/http-gate';
import { tokenOf } from '../helpers/rest';
import { startExpressApp, startHonoApp, type KeyedApp } from '../helpers/sdk-apps';

/**
 * The SDK following the change feed (a `keys:feed` token): a revoked key is refused within a
 * second and a half, whichever instance revoked it, while other cached keys stay cached; with
 * the feed cut, cached answers fall back to fallbackTtlSeconds.
 */
let a: TestServer;
let b: TestServer;
let gate: HttpGate;
let team: Awaited<ReturnType<typeof createTeam>>;
let feedToken: string;
const stoppers: { stop(): Promise<void> }[] = [];
const clients: Keywarden[] = [];

beforeAll(async () => {
  a = await startTestServer({ label: 'sdk-feed' });
  b = await startTestServer({ label: 'sdk-feed-b', dbName: a.dbName });
  gate = await startHttpGate(a.url);
  team = await createTeam(a);
  feedToken = (await tokenOf(team.admin, team.teamId, ['keys:feed'])).token;
});
afterAll(async () => {
  for (const c of clients) await c.close();
  for (const s of stoppers) await s.stop();
  await gate.stop();
  await b.stop();
  await a.close();
});

const sdk = (fallbackTtlSeconds = 5) => {
  const kw = new Keywarden({ baseUrl: gate.url, teamId: team.teamId, token: feedToken, fallbackTtlSeconds });
  clients.push(kw);
  return kw;
};
const newKey = () => team.admin.api.keys.create.mutate({ teamId: team.teamId, name: 'svc' });
const status = async (app: KeyedApp, key: string) => (await fetch(`${app.url}/api/hello`, { headers: { authorization: `Bearer ${key}` } })).status;
const revokeOn = (server: TestServer, keyId: string) =>
  server.services.keyActions.run({ teamId: team.teamId, kind: 'revoke', reason: 'manual', keyIds: [keyId], actor: { userId: team.admin.userId, email: team.admin.email, role: 'super_admin', ip: null, userAgent: null } });

/** Milliseconds from now until `app` stops letting `key` through (or `limitMs`, failing). */
async function msUntilRefused(app: KeyedApp, key: string, limitMs: number): Promise<number> {
  const start = Date.now();
  while (Date.now() - start < limitMs) if ((await status(app, key)) === 401) return Date.now() - start;
  throw new Error(`the key still passed ${limitMs} ms after its revocation`);
}

/** Resolves once the SDK's feed has answered at least once (it counts as up from then). */
async function feedAnswered(before: number) {
  const deadline = Date.now() + 15_000;
  while (gate.count('/v1/teams/') <= before && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
}

describe.each([
  ['Hono', startHonoApp],
  ['Express', startExpressApp],
])('keyAuth for %s with the change feed', (_name, start) => {
  it('refuses a key within 1.5 s of its revocation on either instance, and keeps other keys cached', async () => {
    const before = gate.count('/v1/teams/');
    const kw = sdk(300);
    const app = await start(kw);
    stoppers.push(app);
    await feedAnswered(before);
    const [k1, k2, k3] = [await newKey(), await newKey(), await newKey()];
    for (const k of [k1, k2, k3]) expect(await status(app, k.key)).toBe(200);

    await revokeOn(a, k1.row.id);
    expect(await msUntilRefused(app, k1.key, 1500)).toBeLessThan(1500);
    await revokeOn(b, k2.row.id);
    expect(await msUntilRefused(app, k2.key, 1500)).toBeLessThan(1500);

    // k3 was not changed: still answered from the cache, without asking the server.
    const verifies = gate.count('/v1/keys/verify');
    expect(await status(app, k3.key)).toBe(200);
    expect(gate.count('/v1/keys/verify')).toBe(verifies);
  });
});

describe('keyAuth with a permission query', () => {
  it('answers 403 for a key without the permission, lets one with it through, and follows a permission removed', async () => {
    const before = gate.count('/v1/teams/');
    const app = await startHonoApp(sdk(300), { permissions: 'invoices.read' });
    stoppers.push(app);
    await feedAnswered(before);
    const without = await newKey();
    const res = await fetch(`${app.url}/api/hello`, { headers: { authorization: `Bearer ${without.key}` } });
    expect(res.status).toBe(403);
    expect(res.headers.get('content-type')).toContain('application/problem+json');
    expect((await res.json()).code).toBe('INSUFFICIENT_PERMISSIONS');

    const withIt = await team.admin.api.keys.create.mutate({ teamId: team.teamId, name: 'reader', permissions: ['invoices.read'] });
    expect(await status(app, withIt.key)).toBe(200);
    // The permission taken away: the feed's `updated` event drops the cached answer.
    await team.admin.api.keys.update.mutate({ teamId: team.teamId, keyId: withIt.row.id, permissions: [] });
    const deadline = Date.now() + 1500;
    let last = 200;
    while (last === 200 && Date.now() < deadline) last = await status(app, withIt.key);
    expect(last).toBe(403);
  });
});

describe('the SDK with its feed cut', () => {
  it('keeps answers at most fallbackTtlSeconds, then asks the server again', async () => {
    const before = gate.count('/v1/teams/');
    const kw = sdk(1);
    const app = await startHonoApp(kw);
    stoppers.push(app);
    await feedAnswered(before);
    const k = await newKey();
    expect(await status(app, k.key)).toBe(200);
    gate.cutFeed();
    try {
      await revokeOn(a, k.row.id);
      // The event never reaches the SDK; the 1 s fallback bounds how long the answer is trusted.
      expect(await msUntilRefused(app, k.key, 5000)).toBeLessThan(5000);
    } finally {
      gate.restoreFeed();
    }
  });

  it('notices a feed that goes silent (no error, no answer) within about fallbackTtlSeconds', async () => {
    const before = gate.count('/v1/teams/');
    const kw = sdk(3);
    const app = await startHonoApp(kw);
    stoppers.push(app);
    await feedAnswered(before);
    const k = await newKey();
    expect(await status(app, k.key)).toBe(200);
    // Older than the fallback TTL: only a live feed may vouch for this answer now.
    await new Promise((r) => setTimeout(r, 3200));
    expect(await status(app, k.key)).toBe(200);
    gate.silenceFeed();
    try {
      await revokeOn(a, k.row.id);
      // The long poll waits 2 s, and its answer is overdue 1 s after that: from then the cached answer,
      // 3 s old, is past the fallback TTL and the SDK asks the server (before: trusted until the poll's 12 s timeout).
      expect(await msUntilRefused(app, k.key, 6000)).toBeLessThan(6000);
    } finally {
      gate.restoreFeed();
    }
  });

  it('stops following the feed on close', async () => {
    const own = await startHttpGate(a.url);
    stoppers.push(own);
    const kw = new Keywarden({ baseUrl: own.url, teamId: team.teamId, token: feedToken });
    await kw.close();
    const after = own.count('/v1/teams/');
    await kw.verify((await newKey()).key);
    await revokeOn(a, (await newKey()).row.id);
    expect(own.count('/v1/keys/verify')).toBe(1);
    expect(own.count('/v1/teams/')).toBe(after);
  });
});
