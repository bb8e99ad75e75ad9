import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTeam, errorCode, startTestServer, trpcClient, type TestServer } from '../helpers/harness';
import { seedKey } from '../helpers/keys';
import { ALL_VIEWS as ALL, trpcPost, verifyRaw } from '../helpers/raw-http';

/**
 * Request limits (server/http/limits.ts) over real HTTP: per-caller rates and
 * caps in flight, per session and per address, so that one caller cannot slow
 * down the other teams. Timings are only ever generous upper bounds.
 */
let server: TestServer;
beforeAll(async () => {
  server = await startTestServer({ label: 'reqrates' });
});
afterAll(() => server.close());

/** Polls until `check` holds (or the deadline passes, when the last answer is returned for the assertion). */
async function eventually<T>(probe: () => Promise<T>, check: (value: T) => boolean, deadlineMs = 30_000): Promise<T> {
  const until = Date.now() + deadlineMs;
  for (;;) {
    const value = await probe();
    if (check(value) || Date.now() > until) return value;
    await new Promise((r) => setTimeout(r, 200));
  }
}

describe('rates and caps per caller', () => {
  it('answers a flood from one session with 429 and Retry-After, while another team keeps getting 200', async () => {
    // A small per-session budget: a loaded machine serves the flood slower than the default 20 calls a
    // second, and then every call would fit the budget and the refusal would never be seen.
    const limited = await startTestServer({ label: 'reqflood', env: { RATE_LIMIT_PER_SESSION: String(SESSION_RATE), RATE_LIMIT_BURST_SECONDS: '3' } });
    try {
      await floodOneSession(limited);
    } finally {
      await limited.close();
    }
  });

  const SESSION_RATE = 5;
  async function floodOneSession(server: TestServer) {
    const flooder = await createTeam(server, 'Flooder');
    const other = await createTeam(server, 'Bystander');
    await seedKey(server, { teamId: other.teamId, ownerId: other.admin.userId });

    const floodStarted = Date.now();
    const flood = Promise.all(Array.from({ length: 300 }, () => trpcPost(server.url, 'alerts.summary', flooder.admin.token, {}).then(async (r) => ({ status: r.status, retryAfter: r.headers.get('retry-after'), body: await r.text() }))));
    const bystander: { status: number; ms: number }[] = [];
    for (let i = 0; i < 5; i++) {
      const started = Date.now();
      const r = await trpcPost(server.url, 'keys.list', other.admin.token, { teamId: other.teamId, view: ALL });
      await r.text();
      bystander.push({ status: r.status, ms: Date.now() - started });
    }
    const answers = await flood;
    const floodSeconds = (Date.now() - floodStarted) / 1000;

    expect(bystander.map((b) => b.status)).toEqual([200, 200, 200, 200, 200]);
    // 200s are the signal (the pool used to run dry: 500s); the bound only catches a hang, on a loaded CI machine.
    for (const b of bystander) expect(b.ms).toBeLessThan(25_000);
    const refused = answers.filter((a) => a.status === 429);
    // The bucket holds 3 seconds' worth and refills SESSION_RATE a second: however slowly the 300 arrive, no more get through.
    expect(answers.filter((a) => a.status === 200).length).toBeLessThanOrEqual(SESSION_RATE * (3 + floodSeconds) + 5);
    expect(refused.length).toBeGreaterThan(0);
    for (const a of refused) {
      expect(Number(a.retryAfter)).toBeGreaterThanOrEqual(1);
      expect(JSON.parse(a.body).error.json.data.code).toBe('TOO_MANY_REQUESTS');
    }
    expect(answers.filter((a) => a.status >= 500)).toEqual([]);
    expect(answers.some((a) => a.status === 200)).toBe(true);

    // Temporary: after the wait it names, the session is served again.
    await new Promise((r) => setTimeout(r, Number(refused[0]!.retryAfter) * 1000));
    const again = await eventually(() => trpcPost(server.url, 'alerts.summary', flooder.admin.token, {}).then((r) => r.status), (s) => s === 200);
    expect(again).toBe(200);
  }

  it('keeps another team and verify answering through repeated batch probes and 300 parallel calls', async () => {
    const prober = await createTeam(server, 'Prober');
    const other = await createTeam(server, 'Other');
    const key = await seedKey(server, { teamId: other.teamId, ownerId: other.admin.userId });
    const paths = Array.from({ length: 300 }, () => 'alerts.summary').join(',');
    const body = JSON.stringify(Object.fromEntries(Array.from({ length: 300 }, (_, i) => [i, { json: {} }])));

    let probing = true;
    const probes = (async () => {
      const statuses: number[] = [];
      for (let round = 0; round < 3 && probing; round++) {
        const batches = Array.from({ length: 5 }, () =>
          fetch(`${server.url}/trpc/${paths}?batch=1`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${prober.admin.token}` }, body }),
        );
        const singles = Array.from({ length: 300 }, () => trpcPost(server.url, 'alerts.summary', prober.admin.token, {}));
        for (const r of await Promise.all([...batches, ...singles])) {
          statuses.push(r.status);
          await r.body?.cancel();
        }
      }
      return statuses;
    })();

    const seen: { what: string; status: number; ms: number }[] = [];
    for (let i = 0; i < 6; i++) {
      let started = Date.now();
      const list = await trpcPost(server.url, 'keys.list', other.admin.token, { teamId: other.teamId, view: ALL });
      const listed = (await list.json()) as { result?: { data: { json: { items: { id: string }[] } } } };
      seen.push({ what: 'keys.list', status: list.status, ms: Date.now() - started });
      expect(listed.result?.data.json.items.map((k) => k.id)).toEqual([key.id]);
      started = Date.now();
      const verify = await verifyRaw(server.url, key.value);
      expect(await verify.json()).toMatchObject({ valid: true, keyId: key.id });
      seen.push({ what: 'verify', status: verify.status, ms: Date.now() - started });
    }
    probing = false;
    const statuses = await probes;

    expect(seen.filter((s) => s.status !== 200)).toEqual([]);
    for (const s of seen) expect(s.ms).toBeLessThan(25_000);
    expect(statuses.filter((s) => s >= 500)).toEqual([]);
    expect(statuses.filter((s) => s === 429).length).toBeGreaterThan(0);
  });
});

describe('CSV exports', () => {
  it('frees a download\'s slot when it ends or is abandoned, so a session is never locked out', async () => {
    const team = await createTeam(server, 'Exporter');
    await seedKey(server, { teamId: team.teamId, ownerId: team.admin.userId });
    const download = () => fetch(`${server.url}/v1/teams/${team.teamId}/keys.csv`, { headers: { authorization: `Bearer ${team.admin.token}` } });
    // Twice the session's 8 slots each way: a slot kept by a finished download would make these wait, then fail.
    for (let i = 0; i < 16; i++) {
      const res = await download();
      expect(res.status).toBe(200);
      expect(await res.text()).toMatch(/^id,name,/);
    }
    for (let i = 0; i < 16; i++) {
      const res = await download();
      expect(res.status).toBe(200);
      await res.body!.cancel();
    }
    const last = await eventually(() => download().then(async (r) => ({ status: r.status, text: await r.text() })), (r) => r.status === 200, 30_000);
    expect(last.status).toBe(200);
  });
});

describe('limits per address', () => {
  let limited: TestServer;
  beforeAll(async () => {
    limited = await startTestServer({ label: 'reqlimitsip', env: { TRUST_PROXY: 'true', RATE_LIMIT_PER_IP: '5', VERIFY_RATE_LIMIT_PER_IP: '10' } });
  });
  afterAll(() => limited.close());

  it('limits sign-in calls per address, and another address is not affected', async () => {
    // A bad input answers 400 without touching the database: only the limiter can say 429.
    const signIn = (ip: string) =>
      fetch(`${limited.url}/trpc/auth.verifyCode`, { method: 'POST', headers: { 'content-type': 'application/json', 'x-forwarded-for': ip }, body: '{"json":{}}' });
    const started = Date.now();
    const flood = await Promise.all(Array.from({ length: 60 }, () => signIn('203.0.113.7').then(async (r) => ({ status: r.status, retryAfter: r.headers.get('retry-after'), body: await r.json() }))));
    const seconds = (Date.now() - started) / 1000;
    const refused = flood.filter((a) => a.status === 429);
    // 5 a second with bursts of 15, however slowly the 60 arrive.
    expect(flood.length - refused.length).toBeLessThanOrEqual(15 + 5 * seconds + 2);
    expect(refused.length).toBeGreaterThan(0);
    for (const a of refused) {
      expect(Number(a.retryAfter)).toBeGreaterThanOrEqual(1);
      expect(a.body.error.json.data.code).toBe('TOO_MANY_REQUESTS');
    }
    expect(flood.filter((a) => a.status !== 429 && a.status !== 400)).toEqual([]);
    expect(await errorCode(trpcClient(limited.url, null, { 'x-forwarded-for': '203.0.113.8' }).auth.verifyCode.mutate({ email: 'nobody@example.test', code: '1', attemptId: '1' }))).toBe('BAD_REQUEST');
  });

  it('limits verify per address with its own budget, in the verify API error shape', async () => {
    const started = Date.now();
    const answers = await Promise.all(Array.from({ length: 100 }, () => verifyRaw(limited.url, 'kw_short', { 'x-forwarded-for': '198.51.100.7' })));
    const seconds = (Date.now() - started) / 1000;
    const refused = answers.filter((r) => r.status === 429);
    // 10 a second with bursts of 30: sign-in's 5 a second does not apply here.
    expect(answers.length - refused.length).toBeLessThanOrEqual(30 + 10 * seconds + 2);
    expect(answers.length - refused.length).toBeGreaterThan(15);
    expect(refused.length).toBeGreaterThan(0);
    expect(await refused[0]!.json()).toEqual({ error: 'TOO_MANY_REQUESTS', message: expect.stringMatching(/Too many requests from your address/) });
    expect(Number(refused[0]!.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    expect(answers.filter((r) => r.status !== 429 && r.status !== 200)).toEqual([]);
    // Sign-in calls from that address have a budget of their own.
    expect(await errorCode(trpcClient(limited.url, null, { 'x-forwarded-for': '198.51.100.7' }).auth.verifyCode.mutate({ email: 'a@example.test', code: '1', attemptId: '1' }))).toBe('BAD_REQUEST');
    expect((await verifyRaw(limited.url, 'kw_short', { 'x-forwarded-for': '198.51.100.8' })).status).toBe(200);
  });
});

