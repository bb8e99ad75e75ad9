import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTeam, startTestServer, type TestServer } from '../helpers/harness';

/**
 * Issue 25's accuracy contract, with two instances over one database and 40 concurrent clients
 * spreading their calls over both. Windows are long (3 s) so the counts do not hang on
 * scheduling luck; every wait is a count of answers, never a sleep.
 */
let a: TestServer;
let b: TestServer;
let team: Awaited<ReturnType<typeof createTeam>>;
// One test address sends everything: lift the per-address verify budget so only the key's limits speak.
const env = { VERIFY_RATE_LIMIT_PER_IP: '1000000', VERIFY_CONCURRENCY_PER_IP: '1000' };

beforeAll(async () => {
  a = await startTestServer({ label: 'limits-accuracy', env });
  b = await startTestServer({ label: 'limits-accuracy-b', env: { ...env, MONGODB_DB: a.dbName } });
  team = await createTeam(a, 'Accuracy');
});
afterAll(async () => {
  await b.stop();
  await a.close();
});

type Answer = { valid: boolean; code?: string; ratelimits?: { reset: number }[]; credits?: { remaining: number } | null };
const CLIENTS = 40;

async function verifyOn(server: TestServer, body: Record<string, unknown>): Promise<Answer> {
  const res = await fetch(`${server.url}/v1/keys/verify`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  expect(res.status).toBe(200);
  return (await res.json()) as Answer;
}

describe('accuracy across two instances', () => {
  it('a rate limit admits at most limit x 1.02 + 1 per window, and at least 0.9 x limit, under 5x its limit', async () => {
    // A small limit, so that even a machine loaded to a few dozen answers a second sends 5x it per window.
    const limit = 10;
    const durationMs = 3000;
    const { key } = await team.admin.api.keys.create.mutate({ teamId: team.teamId, name: 'rate limited', ratelimits: [{ name: 'api', limit, durationMs }] });
    // Answers by window (its `reset`): how many were sent in it and how many admitted.
    const windows = new Map<number, { sent: number; admitted: number }>();
    const firstFull = (Math.floor(Date.now() / durationMs) + 1) * durationMs + durationMs;
    const lastFull = firstFull + 3 * durationMs;
    await Promise.all(
      Array.from({ length: CLIENTS }, async (_, client) => {
        for (let i = 0; ; i++) {
          const answer = await verifyOn((client + i) % 2 === 0 ? a : b, { key });
          const reset = answer.ratelimits![0]!.reset;
          const w = windows.get(reset) ?? { sent: 0, admitted: 0 };
          windows.set(reset, w);
          w.sent++;
          if (answer.valid) w.admitted++;
          else expect(answer.code).toBe('RATE_LIMITED');
          // Until the answers show the end of the third full window has passed.
          if (reset > lastFull) return;
        }
      }),
    );
    for (const [, w] of windows) expect(w.admitted).toBeLessThanOrEqual(limit * 1.02 + 1);
    const full = [...windows].filter(([reset]) => reset > firstFull && reset <= lastFull).map(([, w]) => w);
    expect(full).toHaveLength(3);
    for (const w of full) {
      expect(w.sent).toBeGreaterThanOrEqual(5 * limit);
      expect(w.admitted).toBeGreaterThanOrEqual(0.9 * limit);
    }
  });

  it('credits are exact: 300 credits, 800 calls from 40 clients over both instances admit exactly 300 and end at 0', async () => {
    const { key, row } = await team.admin.api.keys.create.mutate({ teamId: team.teamId, name: 'credits', credits: { remaining: 300 } });
    let next = 0;
    let admitted = 0;
    let refused = 0;
    await Promise.all(
      Array.from({ length: CLIENTS }, async () => {
        while (next < 800) {
          const call = next++;
          const answer = await verifyOn(call % 2 === 0 ? a : b, { key });
          if (answer.valid) admitted++;
          else {
            expect(answer).toEqual({ valid: false, code: 'USAGE_EXCEEDED', credits: { remaining: 0 } });
            refused++;
          }
        }
      }),
    );
    expect(admitted).toBe(300);
    expect(refused).toBe(500);
    const [listed] = (await team.admin.api.keys.list.query({ teamId: team.teamId, view: ['enabled'], search: row.name })).items;
    expect(listed!.credits).toEqual({ remaining: 0, refill: null });
  });
});
