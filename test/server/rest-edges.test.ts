import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTeam, startTestServer, type TestServer } from '../helpers/harness';
import { problemShape, tokenOf } from '../helpers/rest';
// Every answer is also checked against the OpenAPI document for its route and status.
import { checkedRest as rest } from '../helpers/openapi';

/** REST edges an outside reviewer probes: the API's root paths, and a revocation racing the other key changes. */
let server: TestServer;
beforeAll(async () => {
  server = await startTestServer({ label: 'rest-edges' });
});
afterAll(async () => {
  await server?.close();
});

const verify = async (key: string) =>
  (await fetch(`${server.url}/v1/keys/verify`, { method: 'POST', body: JSON.stringify({ key }), headers: { 'content-type': 'application/json' } })).json();

async function call(method: string, path: string, token: string | null) {
  const res = await fetch(`${server.url}${path}`, { method, headers: token ? { authorization: `Bearer ${token}` } : {} });
  return { status: res.status, type: res.headers.get('content-type'), text: await res.text() };
}

describe('REST edges', () => {
  it('answers a 404 problem for /v1/teams and /v1/teams/ themselves, with or without a token', async () => {
    const team = await createTeam(server, 'Roots');
    const { token } = await tokenOf(team.admin, team.teamId, ['keys:read']);
    for (const path of ['/v1/teams', '/v1/teams/']) {
      for (const bearer of [token, null]) {
        const answer = await call('GET', path, bearer);
        expect(answer.status, path).toBe(404);
        expect(answer.type, path).toBe('application/problem+json');
        expect(JSON.parse(answer.text)).toMatchObject(problemShape(404, 'NOT_FOUND'));
      }
    }
  });

  it('refuses a body field it does not know (a typo must not silently drop a restriction or an expiry), and changes nothing', async () => {
    const team = await createTeam(server, 'Typos');
    const P = `/v1/teams/${team.teamId}`;
    const { token } = await tokenOf(team.admin, team.teamId, ['keys:read', 'keys:write', 'keys:revoke']);
    const key = await team.admin.api.keys.create.mutate({ teamId: team.teamId, name: 'prod' });

    const patch = await rest(server, token, 'PATCH', `${P}/keys/${key.row.id}`, { restriction: { ips: ['10.0.0.1'] } });
    expect(patch.status).toBe(400);
    expect(patch.body).toMatchObject(problemShape(400, 'BAD_REQUEST'));
    expect(patch.body.detail).toContain('restriction');

    const create = await rest(server, token, 'POST', `${P}/keys`, { name: 'ci', expires_in_days: 1 });
    expect(create.status).toBe(400);
    expect(create.body.detail).toContain('expires_in_days');

    const revoke = await rest(server, token, 'POST', `${P}/keys/revoke`, { keyIds: [key.row.id], teamId: 'team_other' });
    expect(revoke.status).toBe(400);

    const list = await rest(server, token, 'GET', `${P}/keys`);
    expect(list.body.items.map((k: { name: string; status: string }) => [k.name, k.status])).toEqual([['prod', 'enabled']]);
    expect(await verify(key.key)).toMatchObject({ valid: true });
  });

  it('keeps a revoked key revoked when enable, disable and PATCH race the revocation', async () => {
    const team = await createTeam(server, 'Race');
    const member = await team.addUser('member');
    const P = `/v1/teams/${team.teamId}`;
    const a = await tokenOf(team.admin, team.teamId, ['keys:read', 'keys:write', 'keys:revoke'], 'a');
    const b = await tokenOf(team.admin, team.teamId, ['keys:read', 'keys:write', 'keys:revoke'], 'b');
    for (let i = 0; i < 4; i++) {
      const key = await member.api.keys.create.mutate({ teamId: team.teamId, name: `race ${i}` });
      if (i % 2 === 1) await rest(server, a.token, 'POST', `${P}/keys/${key.row.id}/disable`);
      const answers = await Promise.all([
        rest(server, a.token, 'POST', `${P}/keys/${key.row.id}/revoke`),
        rest(server, b.token, 'POST', `${P}/keys/${key.row.id}/enable`),
        rest(server, b.token, 'PATCH', `${P}/keys/${key.row.id}`, { meta: { round: String(i) } }),
        rest(server, a.token, 'POST', `${P}/keys/${key.row.id}/disable`),
        rest(server, b.token, 'POST', `${P}/keys/${key.row.id}/enable`),
      ]);
      // Each answer is a success or a refusal of a dead key, never a server error.
      for (const answer of answers) expect([200, 400, 412]).toContain(answer.status);
      const row = await rest(server, a.token, 'GET', `${P}/keys/${key.row.id}`);
      expect(row.body).toMatchObject({ status: 'revoked' });
      expect(await verify(key.key)).toMatchObject({ valid: false, code: 'REVOKED' });
    }
  });
});
