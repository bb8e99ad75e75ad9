import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTeam, startTestServer, type TestServer } from '../helpers/harness';
import { problemShape, tokenOf } from '../helpers/rest';
// Every answer is also checked against the OpenAPI document for its route and status.
import { checkedRest as rest } from '../helpers/openapi';

/** The change feed over REST: `GET /v1/teams/{teamId}/keys/changes` with a `keys:feed` token. */
let a: TestServer;
let b: TestServer;

beforeAll(async () => {
  a = await startTestServer({ label: 'key-changes-rest' });
  b = await startTestServer({ label: 'key-changes-rest-b', dbName: a.dbName });
});
afterAll(async () => {
  await b.stop();
  await a.close();
});

const changes = (teamId: string, query = '') => `/v1/teams/${teamId}/keys/changes${query}`;

describe('GET /v1/teams/{teamId}/keys/changes', () => {
  it('answers 401 without a working token, 403 without keys:feed and 404 for another team', async () => {
    const team = await createTeam(a);
    const other = await createTeam(a, 'Other');
    const reader = await tokenOf(team.admin, team.teamId, ['keys:read']);
    const feed = await tokenOf(team.admin, team.teamId, ['keys:feed']);

    const none = await rest(a, null, 'GET', changes(team.teamId));
    expect(none.status).toBe(401);
    expect(none.headers.get('www-authenticate')).toContain('Bearer');
    expect(none.body).toMatchObject(problemShape(401, 'UNAUTHORIZED'));
    expect((await rest(a, 'kwt_' + 'x'.repeat(36), 'GET', changes(team.teamId))).status).toBe(401);

    const noScope = await rest(a, reader.token, 'GET', changes(team.teamId));
    expect(noScope.status).toBe(403);
    expect(noScope.body.detail).toContain('keys:feed');

    const elsewhere = await rest(a, feed.token, 'GET', changes(other.teamId));
    expect(elsewhere.status).toBe(404);
    expect(elsewhere.headers.get('content-type')).toContain('application/problem+json');
  });

  it('lists a revocation with a seq greater than the events before it', async () => {
    const team = await createTeam(a);
    const feed = await tokenOf(team.admin, team.teamId, ['keys:feed']);
    const head = await rest(a, feed.token, 'GET', changes(team.teamId));
    expect(head.status).toBe(200);
    const created = await team.admin.api.keys.create.mutate({ teamId: team.teamId, name: 'svc' });
    await team.admin.api.keys.revoke.mutate({ teamId: team.teamId, keyIds: [created.row.id] });
    const page = await rest(b, feed.token, 'GET', changes(team.teamId, `?after=${head.body.next}`));
    expect(page.status).toBe(200);
    expect(page.body.events.map((e: { kind: string; keyId: string }) => [e.kind, e.keyId])).toEqual([
      ['created', created.row.id],
      ['revoked', created.row.id],
    ]);
    const [first, second] = page.body.events;
    expect(first.seq).toBeGreaterThan(head.body.next);
    expect(second.seq).toBeGreaterThan(first.seq);
    expect(new Date(second.at).getTime()).not.toBeNaN();
    expect(page.body.next).toBe(second.seq);
  });

  it('wakes a long poll on one instance when a key is revoked through the other', async () => {
    const team = await createTeam(a);
    const feed = await tokenOf(team.admin, team.teamId, ['keys:feed']);
    const created = await team.admin.api.keys.create.mutate({ teamId: team.teamId, name: 'svc' });
    const { next } = (await rest(b, feed.token, 'GET', changes(team.teamId))).body;
    const started = Date.now();
    const waiting = rest(b, feed.token, 'GET', changes(team.teamId, `?after=${next}&waitSeconds=25`));
    await a.services.keyActions.run({ teamId: team.teamId, kind: 'revoke', reason: 'manual', keyIds: [created.row.id], actor: { userId: team.admin.userId, email: team.admin.email, role: 'super_admin', ip: null, userAgent: null } });
    const page = await waiting;
    expect(page.body.events).toEqual([expect.objectContaining({ kind: 'revoked', keyId: created.row.id, seq: next + 1 })]);
    expect(Date.now() - started).toBeLessThan(15_000);
  });

  it('answers 410 for an "after" before the retained window, and 400 naming a bad waitSeconds', async () => {
    const team = await createTeam(a);
    const feed = await tokenOf(team.admin, team.teamId, ['keys:feed']);
    await a.storage.repos.keyChanges.append(team.teamId, [{ keyId: 'key_old', kind: 'revoked' }], new Date(Date.now() - 8 * 86_400_000));
    await a.services.keyChanges.prune();
    const gone = await rest(a, feed.token, 'GET', changes(team.teamId, '?after=0'));
    expect(gone.status).toBe(410);
    expect(gone.body).toMatchObject(problemShape(410, 'GONE'));
    const bad = await rest(a, feed.token, 'GET', changes(team.teamId, '?waitSeconds=31'));
    expect(bad.status).toBe(400);
    expect(bad.body.detail).toContain('waitSeconds');
  });
});
