import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTeam, startTestServer, type TestServer } from '../helpers/harness';
import { problemShape, tokenOf } from '../helpers/rest';
// Every answer is also checked against the OpenAPI document for its route and status.
import { checkedRest as rest } from '../helpers/openapi';

/** The REST routes keep the plain routes' rate and body limits, and refuse in problem details. */
let server: TestServer;
beforeAll(async () => {
  // One call per token per ten seconds: the second call in a row is always over the limit, however slow the machine.
  server = await startTestServer({ label: 'rest-limits', env: { RATE_LIMIT_PER_SESSION: '0.1', RATE_LIMIT_BURST_SECONDS: '10' } });
});
afterAll(async () => {
  await server?.close();
});

describe('REST limits', () => {
  it('answers a token over its rate with a 429 problem and Retry-After', async () => {
    const team = await createTeam(server, 'Rates');
    const { token } = await tokenOf(team.admin, team.teamId, ['keys:read']);
    expect((await rest(server, token, 'GET', `/v1/teams/${team.teamId}/keys`)).status).toBe(200);
    const refused = await rest(server, token, 'GET', `/v1/teams/${team.teamId}/keys`);
    expect(refused.status).toBe(429);
    expect(refused.headers.get('content-type')).toBe('application/problem+json');
    expect(refused.body).toMatchObject(problemShape(429, 'TOO_MANY_REQUESTS'));
    expect(Number(refused.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
  });

  it('answers a body over the limit with a 413 problem, and the CSV exports keep their own error shape', async () => {
    const team = await createTeam(server, 'Bodies');
    const keyIds = Array.from({ length: 400 }, (_, i) => `key_${String(i).padStart(20, '0')}`);
    const refused = await rest(server, 'kwt_whatever', 'POST', `/v1/teams/${team.teamId}/keys/revoke`, { keyIds });
    expect(refused.status).toBe(413);
    expect(refused.headers.get('content-type')).toBe('application/problem+json');
    expect(refused.body).toMatchObject(problemShape(413, 'PAYLOAD_TOO_LARGE'));

    const csv = await fetch(`${server.url}/v1/teams/${team.teamId}/keys.csv`);
    expect(csv.status).toBe(401);
    expect(await csv.json()).toEqual({ error: 'UNAUTHORIZED', message: expect.any(String) });
  });
});
