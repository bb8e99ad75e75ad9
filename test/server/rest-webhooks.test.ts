import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTeam, startTestServer, type TestServer } from '../helpers/harness';
import { auditOf } from '../helpers/fixtures';
import { problemShape, tokenOf } from '../helpers/rest';
import { until } from '../helpers/notify';
import { startReceiver, type Receiver } from '../helpers/webhook-receiver';
// Every answer is also checked against the OpenAPI document for its route and status.
import { checkedRest as rest } from '../helpers/openapi';

/** The team's webhooks over REST with a `webhooks:write` token: the services of webhooks.*, the same rules. */
let server: TestServer;
const receivers: Receiver[] = [];
beforeAll(async () => {
  server = await startTestServer({ label: 'rest-webhooks', env: { WEBHOOKS_ALLOW_HTTP_LOOPBACK: 'true' } });
});
afterAll(async () => {
  for (const r of receivers) await r.stop();
  await server?.close();
});

async function receiver() {
  const r = await startReceiver();
  receivers.push(r);
  return r;
}

describe('REST webhooks', () => {
  it('adds, lists, changes, tests, rotates and deletes an endpoint, never listing its secret, audited as the token', async () => {
    const team = await createTeam(server, 'Hooks over REST');
    const { token, row: tokenRow } = await tokenOf(team.admin, team.teamId, ['webhooks:write', 'keys:read'], 'hooks bot');
    const rx = await receiver();
    const P = `/v1/teams/${team.teamId}/webhooks`;

    const created = await rest(server, token, 'POST', P, { url: rx.url, events: ['key.revoked'], description: 'SIEM' });
    expect(created.status).toBe(201);
    expect(created.body.secret).toMatch(/^whsec_/);
    const id = created.body.endpoint.id as string;
    expect(created.body.endpoint).toMatchObject({ url: rx.url, events: ['key.revoked'], description: 'SIEM', enabled: true });

    const listed = await rest(server, token, 'GET', P);
    expect(listed.status).toBe(200);
    expect(listed.body.map((e: { id: string }) => e.id)).toEqual([id]);
    expect(JSON.stringify(listed.body)).not.toContain(created.body.secret);

    const changed = await rest(server, token, 'PATCH', `${P}/${id}`, { events: ['key.revoked', 'key.created'], enabled: false });
    expect(changed.status).toBe(200);
    expect(changed.body).toMatchObject({ id, events: ['key.revoked', 'key.created'], enabled: false });
    expect((await rest(server, token, 'PATCH', `${P}/${id}`, { enabled: true })).body).toMatchObject({ enabled: true });

    const tested = await rest(server, token, 'POST', `${P}/${id}/test`);
    expect(tested.status).toBe(202);
    expect(tested.body.eventId).toEqual(expect.any(String));
    await until(() => rx.receipts.length > 0);
    await until(async () => (await rest(server, token, 'GET', `${P}/${id}/deliveries?limit=5`)).body.items.length > 0);
    const deliveries = await rest(server, token, 'GET', `${P}/${id}/deliveries?limit=5`);
    expect(deliveries.status).toBe(200);
    expect(deliveries.body.items[0]).toMatchObject({ eventId: tested.body.eventId });

    const rotated = await rest(server, token, 'POST', `${P}/${id}/rotate-secret`);
    expect(rotated.status).toBe(200);
    expect(rotated.body.secret).toMatch(/^whsec_/);
    expect(rotated.body.secret).not.toBe(created.body.secret);

    const deleted = await rest(server, token, 'DELETE', `${P}/${id}`);
    expect(deleted).toMatchObject({ status: 200, body: { deleted: true } });
    expect((await rest(server, token, 'GET', P)).body).toEqual([]);
    expect(await team.admin.api.webhooks.list.query({ teamId: team.teamId })).toEqual([]);

    const tokenActor = { tokenId: tokenRow.id, name: 'hooks bot', createdBy: team.admin.userId };
    for (const action of ['webhook.created', 'webhook.updated', 'webhook.deleted'] as const) {
      const [record] = await auditOf(server, team.teamId, action);
      expect(record?.actor, action).toMatchObject(tokenActor);
    }
  });

  it('refuses a token without webhooks:write or the events\' read scope (403 naming it), another team (404), an unknown endpoint (404) and a bad body (400), changing nothing', async () => {
    const team = await createTeam(server, 'Hooks refused');
    const other = await createTeam(server, 'Hooks elsewhere');
    const { token: reader } = await tokenOf(team.admin, team.teamId, ['keys:read']);
    const { token } = await tokenOf(team.admin, team.teamId, ['webhooks:write', 'keys:read']);
    const { token: otherToken } = await tokenOf(other.admin, other.teamId, ['webhooks:write']);
    const rx = await receiver();
    const P = `/v1/teams/${team.teamId}/webhooks`;

    const forbidden = await rest(server, reader, 'POST', P, { url: rx.url, events: ['key.revoked'] });
    expect(forbidden.status).toBe(403);
    expect(forbidden.body).toMatchObject(problemShape(403, 'FORBIDDEN'));
    expect(forbidden.body.detail).toContain('webhooks:write');

    // webhooks:write alone is no way around the read scopes: an endpoint receives what its events carry.
    const { token: writeOnly } = await tokenOf(team.admin, team.teamId, ['webhooks:write']);
    for (const [events, scope] of [[['key.revoked'], 'keys:read'], [['member.added'], 'members:read'], [['token.leaked', 'key.created'], 'audit:read']] as const) {
      const refused = await rest(server, (events as readonly string[]).includes('key.created') ? token : writeOnly, 'POST', P, { url: rx.url, events });
      expect(refused.status, events.join()).toBe(403);
      expect(refused.body).toMatchObject(problemShape(403, 'FORBIDDEN'));
      expect(refused.body.detail).toContain(scope);
    }
    const listed = await rest(server, token, 'POST', P, { url: rx.url, events: ['key.revoked'] });
    expect(listed.status).toBe(201);
    const widened = await rest(server, token, 'PATCH', `${P}/${listed.body.endpoint.id}`, { events: ['key.revoked', 'member.removed'] });
    expect(widened.status).toBe(403);
    expect(widened.body.detail).toContain('members:read');
    expect((await rest(server, token, 'GET', P)).body.map((e: { events: string[] }) => e.events)).toEqual([['key.revoked']]);
    expect((await rest(server, token, 'DELETE', `${P}/${listed.body.endpoint.id}`)).status).toBe(200);

    const elsewhere = await rest(server, otherToken, 'GET', P);
    expect(elsewhere.status).toBe(404);
    expect(elsewhere.body).toMatchObject(problemShape(404, 'NOT_FOUND'));

    const { endpoint } = await other.admin.api.webhooks.create.mutate({ teamId: other.teamId, url: rx.url, events: ['key.revoked'] });
    // Another team's endpoint, named under this team: not found, exactly like one that does not exist.
    for (const path of [`${P}/${endpoint.id}`, `${P}/whk_doesnotexist0000000000`]) {
      const answer = await rest(server, token, 'DELETE', path);
      expect(answer.status, path).toBe(404);
      expect(answer.body).toMatchObject(problemShape(404, 'NOT_FOUND'));
    }
    expect(await other.admin.api.webhooks.list.query({ teamId: other.teamId })).toHaveLength(1);

    for (const body of [{ url: rx.url, events: ['key.nope'] }, { url: rx.url, events: ['key.revoked'], secret: 'mine' }, { events: ['key.revoked'] }]) {
      const bad = await rest(server, token, 'POST', P, body);
      expect(bad.status, JSON.stringify(body)).toBe(400);
      expect(bad.body).toMatchObject(problemShape(400, 'BAD_REQUEST'));
      expect(bad.body.detail).toContain('body');
    }
    expect((await rest(server, token, 'GET', P)).body).toEqual([]);
  });

  it('turns off the endpoints a token added when that token leaks, and only those', async () => {
    const team = await createTeam(server, 'Hooks leaked');
    const { token, row: tokenRow } = await tokenOf(team.admin, team.teamId, ['webhooks:write', 'keys:read'], 'leaky bot');
    const rx = await receiver();
    const P = `/v1/teams/${team.teamId}/webhooks`;
    const added = await rest(server, token, 'POST', P, { url: rx.url, events: ['key.revoked'] });
    expect(added.status).toBe(201);
    const byPerson = await team.admin.api.webhooks.create.mutate({ teamId: team.teamId, url: rx.url, events: ['key.created'] });

    const reported = await fetch(`${server.url}/v1/leaks/report`, { method: 'POST', body: JSON.stringify({ key: token, url: 'https://paste.example/hook' }), headers: { 'content-type': 'application/json' } });
    expect(reported.status).toBe(202);
    const byId = async () => Object.fromEntries((await team.admin.api.webhooks.list.query({ teamId: team.teamId })).map((e) => [e.id, e]));
    await until(async () => (await byId())[added.body.endpoint.id]?.enabled === false);
    const endpoints = await byId();
    expect(endpoints[added.body.endpoint.id]).toMatchObject({ enabled: false, disabledReason: 'token_leaked' });
    expect(endpoints[byPerson.endpoint.id]).toMatchObject({ enabled: true, disabledReason: null });
    await until(async () => (await auditOf(server, team.teamId, 'token.leaked')).length === 1);
    const [leak] = await auditOf(server, team.teamId, 'token.leaked');
    expect(leak!.details).toMatchObject({ webhooksTurnedOff: [added.body.endpoint.id] });
    const turnedOff = (await auditOf(server, team.teamId, 'webhook.updated')).filter((r) => r.targets.ids.includes(added.body.endpoint.id));
    expect(turnedOff.at(-1)!.details).toMatchObject({ reason: 'token_leaked', tokenId: tokenRow.id });
    // An admin may turn it on again, knowingly.
    expect(await team.admin.api.webhooks.update.mutate({ teamId: team.teamId, endpointId: added.body.endpoint.id, enabled: true })).toMatchObject({ enabled: true, disabledReason: null });
  });
});
