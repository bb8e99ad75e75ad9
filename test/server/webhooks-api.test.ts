import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { auditOf } from '../helpers/fixtures';
import { createTeam, errorCode, startTestServer, type TestServer } from '../helpers/harness';

/** The webhooks.* procedures: who may call them, which URLs they accept, and what the audit log keeps. */
let server: TestServer;
let strict: TestServer;

const RECEIVER = 'http://127.0.0.1:9/hook';

beforeAll(async () => {
  server = await startTestServer({ label: 'webhooks-api', env: { WEBHOOKS_ALLOW_HTTP_LOOPBACK: 'true' } });
  strict = await startTestServer({ label: 'webhooks-strict' });
});
afterAll(async () => {
  await server?.close();
  await strict?.close();
});

async function badRequest(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
  } catch (err) {
    const e = err as { data?: { code?: string; httpStatus?: number }; message: string };
    expect(e.data?.code).toBe('BAD_REQUEST');
    expect(e.data?.httpStatus).toBe(400);
    return e.message;
  }
  throw new Error('expected the call to be refused');
}

describe('webhook endpoints', () => {
  it('creates an endpoint, shows its signing secret once, and keeps it only sealed', async () => {
    const team = await createTeam(server, 'Hooks create');
    const { endpoint, secret } = await team.admin.api.webhooks.create.mutate({ teamId: team.teamId, url: RECEIVER, events: ['key.revoked'], description: 'SIEM' });
    expect(secret).toMatch(/^whsec_[A-Za-z0-9+/]{43}=$/);
    expect(endpoint).toMatchObject({ url: RECEIVER, events: ['key.revoked'], format: 'standard', enabled: true, description: 'SIEM' });
    expect(JSON.stringify(endpoint)).not.toContain(secret.slice(6));
    const listed = await team.admin.api.webhooks.list.query({ teamId: team.teamId });
    expect(listed.map((e) => e.id)).toEqual([endpoint.id]);
    expect(JSON.stringify(listed)).not.toContain(secret.slice(6));
    // Storage check: what is at rest is not the secret (nor its key bytes).
    const stored = await server.storage.cols.webhookEndpoints.findOne({ _id: endpoint.id });
    expect(JSON.stringify(stored)).not.toContain(secret.slice(6));
    expect(JSON.stringify(stored)).not.toContain(secret.slice(6, 20));
  });

  it('refuses http:// to a non-loopback host, and private or link-local targets, with a clear 400', async () => {
    const team = await createTeam(server, 'Hooks urls');
    const create = (url: string) => team.admin.api.webhooks.create.mutate({ teamId: team.teamId, url, events: ['key.created'] });
    expect(await badRequest(create('http://example.com/hook'))).toMatch(/http:\/\/ is allowed only to a loopback address/);
    expect(await badRequest(create('https://10.1.2.3/hook'))).toMatch(/private or link-local.*WEBHOOKS_ALLOW_PRIVATE/);
    expect(await badRequest(create('https://192.168.0.10/hook'))).toMatch(/private or link-local/);
    expect(await badRequest(create('https://169.254.169.254/latest/meta-data'))).toMatch(/private or link-local/);
    expect(await badRequest(create('https://[fd00::1]/hook'))).toMatch(/private or link-local/);
    expect(await badRequest(create('https://[::ffff:10.0.0.1]/hook'))).toMatch(/private or link-local/);
    expect(await badRequest(create('ftp://127.0.0.1/hook'))).toMatch(/https:\/\//);
    expect(await badRequest(create('not a url'))).toMatch(/URL/);
    expect(await team.admin.api.webhooks.list.query({ teamId: team.teamId })).toEqual([]);

    const { endpoint } = await create(RECEIVER);
    expect(await badRequest(team.admin.api.webhooks.update.mutate({ teamId: team.teamId, endpointId: endpoint.id, url: 'https://172.16.5.5/x' }))).toMatch(/private/);
  });

  it('refuses http:// and loopback altogether unless the settings allow them', async () => {
    const team = await createTeam(strict, 'Hooks strict');
    const create = (url: string) => team.admin.api.webhooks.create.mutate({ teamId: team.teamId, url, events: ['key.created'] });
    expect(await badRequest(create('http://127.0.0.1:8080/hook'))).toMatch(/WEBHOOKS_ALLOW_HTTP_LOOPBACK/);
    expect(await badRequest(create('https://127.0.0.1:8443/hook'))).toMatch(/loopback/);
    expect(await badRequest(create('https://localhost/hook'))).toMatch(/loopback/);
  });

  it('answers FORBIDDEN to a member for every webhooks procedure', async () => {
    const team = await createTeam(server, 'Hooks member');
    const member = await team.addUser('mia');
    const { endpoint } = await team.admin.api.webhooks.create.mutate({ teamId: team.teamId, url: RECEIVER, events: ['key.created'] });
    const t = { teamId: team.teamId };
    const e = { ...t, endpointId: endpoint.id };
    const calls = [
      () => member.api.webhooks.list.query(t),
      () => member.api.webhooks.create.mutate({ ...t, url: RECEIVER, events: ['key.created'] }),
      () => member.api.webhooks.update.mutate({ ...e, enabled: false }),
      () => member.api.webhooks.delete.mutate(e),
      () => member.api.webhooks.rotateSecret.mutate(e),
      () => member.api.webhooks.test.mutate(e),
      () => member.api.webhooks.deliveries.query(e),
    ];
    for (const call of calls) expect(await errorCode(call())).toBe('FORBIDDEN');
    expect((await team.admin.api.webhooks.list.query(t))[0]).toMatchObject({ enabled: true });
  });

  it("answers NOT_FOUND for another team's endpoint", async () => {
    const mine = await createTeam(server, 'Hooks mine');
    const theirs = await createTeam(server, 'Hooks theirs');
    const { endpoint } = await theirs.admin.api.webhooks.create.mutate({ teamId: theirs.teamId, url: RECEIVER, events: ['key.created'] });
    const e = { teamId: mine.teamId, endpointId: endpoint.id };
    const calls = [
      () => mine.admin.api.webhooks.update.mutate({ ...e, enabled: false }),
      () => mine.admin.api.webhooks.delete.mutate(e),
      () => mine.admin.api.webhooks.rotateSecret.mutate(e),
      () => mine.admin.api.webhooks.test.mutate(e),
      () => mine.admin.api.webhooks.deliveries.query(e),
    ];
    for (const call of calls) expect(await errorCode(call())).toBe('NOT_FOUND');
    expect(await mine.admin.api.webhooks.list.query({ teamId: mine.teamId })).toEqual([]);
    // And naming the other team directly is refused as for any team one is not in.
    expect(['FORBIDDEN', 'NOT_FOUND']).toContain(await errorCode(mine.admin.api.webhooks.list.query({ teamId: theirs.teamId })));
  });

  it('records every change to an endpoint in the audit log, without the secret', async () => {
    const team = await createTeam(server, 'Hooks audit');
    const t = { teamId: team.teamId };
    const { endpoint, secret } = await team.admin.api.webhooks.create.mutate({ ...t, url: RECEIVER, events: ['key.created'] });
    const e = { ...t, endpointId: endpoint.id };
    await team.admin.api.webhooks.update.mutate({ ...e, events: ['key.created', 'key.revoked'], enabled: false });
    const rotated = await team.admin.api.webhooks.rotateSecret.mutate(e);
    expect(rotated.secret).not.toBe(secret);
    expect(rotated.endpoint.previousSecretUntil!.getTime()).toBeGreaterThan(Date.now() + 23 * 3_600_000);
    expect(await team.admin.api.webhooks.delete.mutate(e)).toEqual({ deleted: true });
    expect(await errorCode(team.admin.api.webhooks.delete.mutate(e))).toBe('NOT_FOUND');

    const records = (await auditOf(server, team.teamId)).filter((r) => r.action.startsWith('webhook.'));
    expect(records.map((r) => r.action)).toEqual(['webhook.created', 'webhook.updated', 'webhook.secret_rotated', 'webhook.deleted']);
    for (const r of records) {
      expect(r.targets.ids).toEqual([endpoint.id]);
      expect(r.actor.userId).toBe(team.admin.userId);
    }
    expect(records[1]!.details).toMatchObject({ changes: { enabled: { from: true, to: false }, events: { to: ['key.created', 'key.revoked'] } } });
    const text = JSON.stringify(records);
    expect(text).not.toContain(secret.slice(6, 30));
    expect(text).not.toContain(rotated.secret.slice(6, 30));
  });
});
