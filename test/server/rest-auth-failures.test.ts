import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTeam, startTestServer, type TestServer } from '../helpers/harness';
import { problemShape, rest, tokenOf } from '../helpers/rest';

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
});
