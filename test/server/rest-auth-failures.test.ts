import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTeam, startTestServer, type TestServer } from '../helpers/harness';
import { problemShape, tokenOf } from '../helpers/rest';
// Every answer is also checked against the OpenAPI document for its route and status.
import { checkedRest as rest } from '../helpers/openapi';

/**
 * A made-up bearer token must not buy a rate limit of its own: every token answered 401 is charged
 * to its address at the address rate (http/limits.ts), on the REST routes and on tRPC alike.
 */
let server: TestServer;
beforeAll(async () => {
  // 10 refused tokens per address, refilled at one per 100 s: the 11th in a row is always over.
  server = await startTestServer({ label: 'rest-auth-failures', env: { RATE_LIMIT_PER_IP: '0.01', RATE_LIMIT_BURST_SECONDS: '1000' } });
});
afterAll(async () => {
  await server?.close();
});

const madeUp = () => `kwt_${Math.random().toString(36).slice(2)}${Math.random().toString(36).slice(2)}`;

describe('made-up bearer tokens', () => {
  it('are charged to their address: after its budget of refusals, the address gets 429 before its token is looked up', async () => {
    const team = await createTeam(server, 'Failures');
    // A real token works, any number of times, and is never charged as a failure.
    const { token } = await tokenOf(team.admin, team.teamId, ['keys:read']);
    for (let i = 0; i < 12; i++) expect((await rest(server, token, 'GET', `/v1/teams/${team.teamId}/keys`)).status).toBe(200);

    for (let i = 0; i < 10; i++) expect((await rest(server, madeUp(), 'GET', `/v1/teams/${team.teamId}/keys`)).status).toBe(401);
    const refused = await rest(server, madeUp(), 'GET', `/v1/teams/${team.teamId}/keys`);
    expect(refused.status).toBe(429);
    expect(refused.body).toMatchObject(problemShape(429, 'TOO_MANY_REQUESTS'));
    expect(Number(refused.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    // tRPC with a made-up session token: the same address budget.
    const trpc = await fetch(`${server.url}/trpc/auth.me`, { headers: { authorization: `Bearer ${madeUp()}` } });
    expect(trpc.status).toBe(429);
  });

  it('charges a burst of made-up tokens sent at once: at most the budget is looked up', async () => {
    // Its own address budget: a second server (buckets are per server).
    const other = await startTestServer({ label: 'rest-auth-burst', env: { RATE_LIMIT_PER_IP: '0.01', RATE_LIMIT_BURST_SECONDS: '1000' } });
    try {
      const team = await createTeam(other, 'Burst');
      const { token } = await tokenOf(team.admin, team.teamId, ['keys:read']);
      // A real token's calls take a unit up front and give it back: 3 × 5 at once fit a budget of 10.
      for (let round = 0; round < 3; round++) {
        const ok = await Promise.all(Array.from({ length: 5 }, () => rest(other, token, 'GET', `/v1/teams/${team.teamId}/keys`)));
        expect(ok.map((a) => a.status)).toEqual([200, 200, 200, 200, 200]);
      }
      const answers = await Promise.all(Array.from({ length: 200 }, () => rest(other, madeUp(), 'GET', `/v1/teams/${team.teamId}/keys`)));
      const statuses = answers.map((a) => a.status);
      expect(statuses.filter((s) => s === 401).length).toBeLessThanOrEqual(10);
      expect(statuses.filter((s) => s === 429).length).toBeGreaterThanOrEqual(190);
    } finally {
      await other.close();
    }
  });
});
