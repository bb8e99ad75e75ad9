import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { auditOf } from '../helpers/fixtures';
import { createTeam, startTestServer, type TestServer } from '../helpers/harness';
import { problemShape, rest as plainRest, tokenOf } from '../helpers/rest';
// Every answer is also checked against the OpenAPI document for its route and status.
import { checkedRest as rest } from '../helpers/openapi';

/** The REST API under /v1/teams/{teamId}/, called with team API tokens over real HTTP. */
let server: TestServer;
beforeAll(async () => {
  server = await startTestServer({ label: 'rest-api' });
});
afterAll(async () => {
  await server?.close();
});

const verify = async (key: string) =>
  (await fetch(`${server.url}/v1/keys/verify`, { method: 'POST', body: JSON.stringify({ key }), headers: { 'content-type': 'application/json' } })).json();

function expectProblem(answer: { status: number; headers: Headers; body: unknown }, status: number, code: string) {
  expect(answer.status).toBe(status);
  expect(answer.headers.get('content-type')).toBe('application/problem+json');
  expect(answer.body).toMatchObject(problemShape(status, code));
}

describe('REST API', () => {
  it('lists keys with a keys:read token, filtered by view and paged', async () => {
    const team = await createTeam(server, 'Listing');
    const member = await team.addUser('member');
    const one = await member.api.keys.create.mutate({ teamId: team.teamId, name: 'first' });
    await member.api.keys.create.mutate({ teamId: team.teamId, name: 'second' });
    await member.api.keys.revokeOwn.mutate({ teamId: team.teamId, keyId: one.row.id });
    const { token } = await tokenOf(team.admin, team.teamId, ['keys:read']);

    const all = await rest(server, token, 'GET', `/v1/teams/${team.teamId}/keys`);
    expect(all.status).toBe(200);
    expect(all.body.items.map((k: { name: string }) => k.name).sort()).toEqual(['first', 'second']);
    expect(all.body.counts).toEqual({ enabled: 1, disabled: 0, revoked: 1 });

    const live = await rest(server, token, 'GET', `/v1/teams/${team.teamId}/keys?view=enabled,disabled&limit=1`);
    expect(live.body.items.map((k: { name: string }) => k.name)).toEqual(['second']);
    expect(live.body.nextCursor).toBeNull();

    const byOwner = await rest(server, token, 'GET', `/v1/teams/${team.teamId}/keys?generatedBy=${team.admin.userId}`);
    expect(byOwner.body.items).toEqual([]);

    const row = await rest(server, token, 'GET', `/v1/teams/${team.teamId}/keys/${one.row.id}`);
    expect(row.status).toBe(200);
    expect(row.body).toMatchObject({ id: one.row.id, status: 'revoked' });
    expect(JSON.stringify(row.body)).not.toContain(one.key);
  });

  it("answers 404 for another team's teamId, and for a key not in the team", async () => {
    const team = await createTeam(server, 'Mine');
    const other = await createTeam(server, 'Theirs');
    const theirKey = await other.admin.api.keys.create.mutate({ teamId: other.teamId, name: 'theirs' });
    const { token } = await tokenOf(team.admin, team.teamId, ['keys:read', 'keys:revoke']);

    expectProblem(await rest(server, token, 'GET', `/v1/teams/${other.teamId}/keys`), 404, 'NOT_FOUND');
    expectProblem(await rest(server, token, 'GET', `/v1/teams/${team.teamId}/keys/${theirKey.row.id}`), 404, 'NOT_FOUND');
    expectProblem(await rest(server, token, 'POST', `/v1/teams/${team.teamId}/keys/${theirKey.row.id}/revoke`), 404, 'NOT_FOUND');
    expect(await verify(theirKey.key)).toMatchObject({ valid: true });
  });

  it('refuses POST keys with a read-only token: 403 naming keys:write, and no key is made', async () => {
    const team = await createTeam(server, 'ReadOnly');
    const { token } = await tokenOf(team.admin, team.teamId, ['keys:read']);
    const answer = await rest(server, token, 'POST', `/v1/teams/${team.teamId}/keys`, { name: 'ci' });
    expectProblem(answer, 403, 'FORBIDDEN');
    expect(answer.body.detail).toContain('keys:write');
    const list = await rest(server, token, 'GET', `/v1/teams/${team.teamId}/keys`);
    expect(list.body.items).toEqual([]);
  });

  it('creates a key that verifies, then revokes it, and the audit names the token as the actor', async () => {
    const team = await createTeam(server, 'Pipeline');
    const member = await team.addUser('deployer');
    const { token, row: tokenRow } = await tokenOf(team.admin, team.teamId, ['keys:write', 'keys:revoke', 'audit:read'], 'CI pipeline');

    const created = await rest(server, token, 'POST', `/v1/teams/${team.teamId}/keys`, { name: 'deploy 42', expiresInDays: 1, ownerId: member.userId });
    expect(created.status).toBe(201);
    expect(created.body.row).toMatchObject({ name: 'deploy 42', status: 'enabled', generatedBy: { userId: member.userId } });
    expect(await verify(created.body.key)).toMatchObject({ valid: true });

    const revoked = await rest(server, token, 'POST', `/v1/teams/${team.teamId}/keys/${created.body.row.id}/revoke`);
    expect(revoked.status).toBe(200);
    expect(revoked.body).toMatchObject({ id: created.body.row.id, status: 'revoked' });
    expect(await verify(created.body.key)).toMatchObject({ valid: false, code: 'REVOKED' });

    const tokenActor = { tokenId: tokenRow.id, name: 'CI pipeline', createdBy: team.admin.userId };
    const [madeRecord] = await auditOf(server, team.teamId, 'key.created');
    const [revokeRecord] = await auditOf(server, team.teamId, 'key.revoked');
    expect(madeRecord!.actor).toMatchObject(tokenActor);
    expect(revokeRecord!.actor).toMatchObject(tokenActor);

    const audit = await rest(server, token, 'GET', `/v1/teams/${team.teamId}/audit?limit=10`);
    expect(audit.status).toBe(200);
    expect(audit.body.items.find((a: { action: string }) => a.action === 'key.revoked').actor).toMatchObject(tokenActor);
  });

  it('creates keys for the token creator by default, and refuses an owner outside the team (400 naming ownerId)', async () => {
    const team = await createTeam(server, 'Owners');
    const other = await createTeam(server, 'Elsewhere');
    const { token } = await tokenOf(team.admin, team.teamId, ['keys:write']);
    const mine = await rest(server, token, 'POST', `/v1/teams/${team.teamId}/keys`, { name: 'default owner' });
    expect(mine.status).toBe(201);
    expect(mine.body.row.generatedBy.userId).toBe(team.admin.userId);

    const outsider = await rest(server, token, 'POST', `/v1/teams/${team.teamId}/keys`, { name: 'stray', ownerId: other.admin.userId });
    expectProblem(outsider, 400, 'BAD_REQUEST');
    expect(outsider.body.detail).toContain('ownerId');
  });

  it('answers bad input with a 400 naming the field, and changes nothing', async () => {
    const team = await createTeam(server, 'BadInput');
    const { token } = await tokenOf(team.admin, team.teamId, ['keys:read', 'keys:write', 'keys:revoke']);
    const noName = await rest(server, token, 'POST', `/v1/teams/${team.teamId}/keys`, { expiresInDays: 3 });
    expectProblem(noName, 400, 'BAD_REQUEST');
    expect(noName.body.detail).toContain('body.name');
    expect(noName.body.errors).toEqual([{ path: 'body.name', message: expect.any(String) }]);

    const both = await rest(server, token, 'POST', `/v1/teams/${team.teamId}/keys`, { name: 'x', expiresInDays: 3, expiresAt: new Date(Date.now() + 86_400_000).toISOString() });
    expectProblem(both, 400, 'BAD_REQUEST');
    expect(both.body.detail).toContain('expiresAt');

    const badView = await rest(server, token, 'GET', `/v1/teams/${team.teamId}/keys?view=alive`);
    expectProblem(badView, 400, 'BAD_REQUEST');
    expect(badView.body.detail).toContain('query.view');

    const badLimit = await rest(server, token, 'GET', `/v1/teams/${team.teamId}/keys?limit=many`);
    expect(badLimit.body.detail).toContain('query.limit');

    const notJson = await rest(server, token, 'POST', `/v1/teams/${team.teamId}/keys/revoke`, '{"keyIds": [');
    expectProblem(notJson, 400, 'BAD_REQUEST');

    const list = await rest(server, token, 'GET', `/v1/teams/${team.teamId}/keys`);
    expect(list.body.items).toEqual([]);
  });

  it("changes a key's policy fields with PATCH (keys:write), audited as the token; a read-only token is 403", async () => {
    const team = await createTeam(server, 'Policy');
    const { row } = await team.admin.api.keys.create.mutate({ teamId: team.teamId, name: 'svc', permissions: ['a.read'] });
    const { token, row: tokenRow } = await tokenOf(team.admin, team.teamId, ['keys:write']);
    const { token: reader } = await tokenOf(team.admin, team.teamId, ['keys:read']);

    const refused = await rest(server, reader, 'PATCH', `/v1/teams/${team.teamId}/keys/${row.id}`, { permissions: ['b.write'] });
    expectProblem(refused, 403, 'FORBIDDEN');
    expect(refused.body.detail).toContain('keys:write');

    const patched = await rest(server, token, 'PATCH', `/v1/teams/${team.teamId}/keys/${row.id}`, { permissions: ['a.read', 'b.write'], meta: { env: 'prod' } });
    expect(patched.status).toBe(200);
    expect(patched.body).toMatchObject({ id: row.id, permissions: ['a.read', 'b.write'], meta: { env: 'prod' } });
    const [record] = await auditOf(server, team.teamId, 'key.updated');
    expect(record!.actor).toMatchObject({ tokenId: tokenRow.id, createdBy: team.admin.userId });

    expectProblem(await rest(server, token, 'PATCH', `/v1/teams/${team.teamId}/keys/${row.id}`, { restrictions: { ips: ['not an address'] } }), 400, 'BAD_REQUEST');
    expectProblem(await rest(server, token, 'PATCH', `/v1/teams/${team.teamId}/keys/key_nothere`, { meta: {} }), 404, 'NOT_FOUND');
  });

  it('revokes, disables and enables keys, one and many', async () => {
    const team = await createTeam(server, 'Bulk');
    const a = await team.admin.api.keys.create.mutate({ teamId: team.teamId, name: 'a' });
    const b = await team.admin.api.keys.create.mutate({ teamId: team.teamId, name: 'b' });
    const { token } = await tokenOf(team.admin, team.teamId, ['keys:revoke']);

    const disabled = await rest(server, token, 'POST', `/v1/teams/${team.teamId}/keys/${a.row.id}/disable`);
    expect(disabled.body).toMatchObject({ status: 'disabled' });
    expect(await verify(a.key)).toMatchObject({ valid: false, code: 'DISABLED' });
    const enabled = await rest(server, token, 'POST', `/v1/teams/${team.teamId}/keys/${a.row.id}/enable`);
    expect(enabled.body).toMatchObject({ status: 'enabled' });

    const bulk = await rest(server, token, 'POST', `/v1/teams/${team.teamId}/keys/revoke`, { keyIds: [a.row.id, b.row.id, 'key_nothere'] });
    expect(bulk.status).toBe(200);
    expect(bulk.body).toEqual({ revoked: [a.row.id, b.row.id].sort(), alreadyRevoked: [], notFound: ['key_nothere'] });
    const again = await rest(server, token, 'POST', `/v1/teams/${team.teamId}/keys/revoke`, { keyIds: [a.row.id] });
    expect(again.body).toEqual({ revoked: [], alreadyRevoked: [a.row.id], notFound: [] });
  });

  it('serves members, usage and audit to tokens with those scopes, and 403s without them', async () => {
    const team = await createTeam(server, 'Reads');
    await team.addUser('someone');
    const { token } = await tokenOf(team.admin, team.teamId, ['members:read', 'usage:read']);
    const members = await rest(server, token, 'GET', `/v1/teams/${team.teamId}/members`);
    expect(members.status).toBe(200);
    expect(members.body).toHaveLength(2);
    const usage = await rest(server, token, 'GET', `/v1/teams/${team.teamId}/usage?range=7d`);
    expect(usage.status).toBe(200);
    expect(usage.body.range).toBe('7d');
    expectProblem(await rest(server, token, 'GET', `/v1/teams/${team.teamId}/usage?range=1y`), 400, 'BAD_REQUEST');
    const audit = await rest(server, token, 'GET', `/v1/teams/${team.teamId}/audit`);
    expectProblem(audit, 403, 'FORBIDDEN');
    expect(audit.body.detail).toContain('audit:read');
  });

  it('answers 401 with WWW-Authenticate: Bearer without a working token, 404 problems for unknown routes and 405 for a wrong method', async () => {
    const team = await createTeam(server, 'NoToken');
    for (const token of [null, 'kwt_nonsense', team.admin.token]) {
      const answer = await rest(server, token, 'GET', `/v1/teams/${team.teamId}/keys`);
      expectProblem(answer, 401, 'UNAUTHORIZED');
      expect(answer.headers.get('www-authenticate')).toMatch(/^Bearer/);
    }
    // No such route in the document, so the plain call: its answer is still a problem.
    expectProblem(await plainRest(server, null, 'GET', `/v1/teams/${team.teamId}/nothing-here`), 404, 'NOT_FOUND');
    // A route's path with a method it does not take: 405, naming the methods it does.
    const wrongMethod = await plainRest(server, null, 'DELETE', `/v1/teams/${team.teamId}/keys`);
    expectProblem(wrongMethod, 405, 'METHOD_NOT_ALLOWED');
    expect(wrongMethod.headers.get('allow')).toBe('GET, POST');
    const onAKey = await plainRest(server, null, 'PUT', `/v1/teams/${team.teamId}/keys/key_whatever0000000000`);
    expectProblem(onAKey, 405, 'METHOD_NOT_ALLOWED');
    expect(onAKey.headers.get('allow')).toBe('GET, PATCH');
    // A literal path beside `keys/{keyId}` names its own methods, whichever route the method would reach.
    for (const [method, path, allow] of [['POST', 'keys/changes', 'GET'], ['PATCH', 'keys/changes', 'GET'], ['GET', 'keys/revoke', 'POST']] as const) {
      const answer = await plainRest(server, null, method, `/v1/teams/${team.teamId}/${path}`);
      expectProblem(answer, 405, 'METHOD_NOT_ALLOWED');
      expect(answer.headers.get('allow')).toBe(allow);
    }
    // The CSV exports beside the REST routes still answer as they did.
    const csv = await fetch(`${server.url}/v1/teams/${team.teamId}/keys.csv`, { headers: { authorization: `Bearer ${team.admin.token}` } });
    expect(csv.status).toBe(200);
    expect(csv.headers.get('content-type')).toContain('text/csv');
  });
});
