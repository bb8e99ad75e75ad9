import { Webhook } from 'standardwebhooks';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createTeam, startTestServer, type TestServer } from '../helpers/harness';
import { issueKey, settleOutbox, until } from '../helpers/notify';
import { startReceiver, type Receipt, type Receiver } from '../helpers/webhook-receiver';

/**
 * Webhook events end to end: real receivers on loopback, real signatures
 * checked with the `standardwebhooks` library, retries through the outbox.
 */
const LOOPBACK = { WEBHOOKS_ALLOW_HTTP_LOOPBACK: 'true' };
let server: TestServer;
const receivers: Receiver[] = [];

async function receiver() {
  const r = await startReceiver();
  receivers.push(r);
  return r;
}

const verify = (secret: string, r: Receipt) =>
  new Webhook(secret).verify(r.body, {
    'webhook-id': String(r.headers['webhook-id']),
    'webhook-timestamp': String(r.headers['webhook-timestamp']),
    'webhook-signature': String(r.headers['webhook-signature']),
  }) as { type: string; id: string; data: Record<string, any> };

beforeAll(async () => {
  server = await startTestServer({ label: 'webhooks-delivery', env: LOOPBACK });
});
afterEach(() => {
  server.services.webhooks.options.policy = { allowHttpLoopback: true, allowPrivate: false };
});
afterAll(async () => {
  await server?.close();
  for (const r of receivers) await r.stop();
});

describe('webhook delivery', () => {
  it('sends one signed key.revoked event for a bulk revoke of keys of two owners', async () => {
    const team = await createTeam(server, 'Hooks bulk');
    const ann = await team.addUser('ann');
    const ben = await team.addUser('ben');
    const rx = await receiver();
    const { secret } = await team.admin.api.webhooks.create.mutate({ teamId: team.teamId, url: rx.url, events: ['key.revoked'] });
    const created = await ann.api.keys.create.mutate({ teamId: team.teamId, name: 'ann deploy' });
    const keys = [{ id: created.row.id }, await issueKey(server, ann, team.teamId, 'ann ci'), await issueKey(server, ben, team.teamId, 'ben ci')];
    await team.admin.api.keys.revoke.mutate({ teamId: team.teamId, keyIds: keys.map((k) => k.id) });

    await until(() => rx.receipts.length > 0);
    await settleOutbox(server);
    expect(rx.receipts).toHaveLength(1);
    const [receipt] = rx.receipts;
    const event = verify(secret, receipt!);
    expect(event.type).toBe('key.revoked');
    expect(receipt!.headers['webhook-id']).toBe(event.id);
    expect(String(receipt!.headers['webhook-signature'])).toMatch(/^v1,[A-Za-z0-9+/]+=*$/);
    expect(event.data.actor).toEqual({ userId: team.admin.userId, email: team.admin.email });
    expect(event.data.keyCount).toBe(3);
    expect(event.data.keys.map((k: { id: string }) => k.id).sort()).toEqual(keys.map((k) => k.id).sort());
    expect(new Set(event.data.keys.map((k: { ownerEmail: string }) => k.ownerEmail))).toEqual(new Set([ann.email, ben.email]));
    for (const k of event.data.keys) expect(k).toMatchObject({ status: 'revoked', hint: expect.any(String), name: expect.any(String) });
    // Never the key itself.
    expect(receipt!.body).not.toContain(created.key);
    // A wrong secret does not verify.
    expect(() => verify(`whsec_${Buffer.alloc(32, 1).toString('base64')}`, receipt!)).toThrow();
  });

  it('retries a receiver that answers 500 twice with the same webhook-id, and lists the three attempts', async () => {
    const team = await createTeam(server, 'Hooks retry');
    const rx = await receiver();
    rx.answer(500, 500);
    const { endpoint, secret } = await team.admin.api.webhooks.create.mutate({ teamId: team.teamId, url: rx.url, events: ['key.created'] });
    await issueKey(server, team.admin, team.teamId, 'retried');

    await until(() => rx.receipts.length >= 3, 90_000);
    await settleOutbox(server);
    expect(rx.receipts.map((r) => r.status)).toEqual([500, 500, 200]);
    expect(new Set(rx.receipts.map((r) => r.headers['webhook-id'])).size).toBe(1);
    for (const r of rx.receipts) expect(verify(secret, r).type).toBe('key.created');

    const { items } = await team.admin.api.webhooks.deliveries.query({ teamId: team.teamId, endpointId: endpoint.id });
    expect(items.map((d) => [d.attempt, d.statusCode, d.outcome])).toEqual([
      [3, 200, 'delivered'],
      [2, 500, 'retrying'],
      [1, 500, 'retrying'],
    ]);
    expect(items[0]!.nextRetryAt).toBeNull();
    for (const d of items.slice(1)) expect(d.nextRetryAt!.getTime()).toBeGreaterThan(d.at.getTime());
    for (const d of items) expect(d).toMatchObject({ event: 'key.created', eventId: rx.receipts[0]!.headers['webhook-id'], durationMs: expect.any(Number) });
    expect(items[2]!.error).toMatch(/500/);
    // Paged with a cursor, each attempt exactly once.
    const first = await team.admin.api.webhooks.deliveries.query({ teamId: team.teamId, endpointId: endpoint.id, limit: 2 });
    const rest = await team.admin.api.webhooks.deliveries.query({ teamId: team.teamId, endpointId: endpoint.id, limit: 2, cursor: first.nextCursor! });
    expect([...first.items, ...rest.items].map((d) => d.id)).toEqual(items.map((d) => d.id));
    expect(rest.nextCursor).toBeNull();
  }, 120_000);

  it('loses nothing when the server restarts while a delivery waits', async () => {
    const first = await startTestServer({ label: 'webhooks-restart', env: LOOPBACK });
    const team = await createTeam(first, 'Hooks restart');
    const rx = await receiver();
    rx.answer(503);
    const { secret } = await team.admin.api.webhooks.create.mutate({ teamId: team.teamId, url: rx.url, events: ['key.created'] });
    await issueKey(first, team.admin, team.teamId, 'survives');
    await until(() => rx.receipts.length === 1);
    await first.stop();

    const second = await startTestServer({ label: 'webhooks-restart', dbName: first.dbName, env: LOOPBACK, jobs: true });
    try {
      await until(() => rx.receipts.length >= 2, 60_000);
      expect(rx.receipts.map((r) => r.status)).toEqual([503, 200]);
      expect(rx.receipts[1]!.headers['webhook-id']).toBe(rx.receipts[0]!.headers['webhook-id']);
      expect(verify(secret, rx.receipts[1]!).type).toBe('key.created');
    } finally {
      await second.close();
    }
  }, 90_000);

  it('signs with the old secret alongside the new one for a day after a rotation', async () => {
    const team = await createTeam(server, 'Hooks rotate');
    const rx = await receiver();
    const { endpoint, secret: old } = await team.admin.api.webhooks.create.mutate({ teamId: team.teamId, url: rx.url, events: ['key.created'] });
    const { secret: fresh } = await team.admin.api.webhooks.rotateSecret.mutate({ teamId: team.teamId, endpointId: endpoint.id });
    await team.admin.api.webhooks.test.mutate({ teamId: team.teamId, endpointId: endpoint.id });
    await until(() => rx.receipts.length > 0);
    expect(verify(fresh, rx.receipts[0]!).type).toBe('ping');
    expect(verify(old, rx.receipts[0]!).type).toBe('ping');
    expect(String(rx.receipts[0]!.headers['webhook-signature']).split(' ')).toHaveLength(2);
  });

  it("delivers to a loopback name, keeping the URL's host in the Host header", async () => {
    const team = await createTeam(server, 'Hooks localhost');
    const rx = await receiver();
    const url = rx.url.replace('127.0.0.1', 'localhost');
    const { endpoint } = await team.admin.api.webhooks.create.mutate({ teamId: team.teamId, url, events: ['key.created'] });
    await team.admin.api.webhooks.test.mutate({ teamId: team.teamId, endpointId: endpoint.id });
    await until(() => rx.receipts.length > 0);
    expect(rx.receipts[0]!.headers.host).toBe(new URL(url).host);
  });

  it('posts a readable Slack message for a slack-format endpoint', async () => {
    const team = await createTeam(server, 'Hooks slack');
    const rx = await receiver();
    await team.admin.api.webhooks.create.mutate({ teamId: team.teamId, url: rx.url, events: ['key.created'], format: 'slack' });
    await issueKey(server, team.admin, team.teamId, 'slack visible');
    await until(() => rx.receipts.length > 0);
    const body = JSON.parse(rx.receipts[0]!.body);
    expect(Object.keys(body)).toEqual(['text']);
    expect(body.text).toContain('key.created');
    expect(body.text).toContain('slack visible');
    expect(body.text).toContain(team.admin.email);
  });

  it('checks the target again at delivery time and sends nothing to a refused address', async () => {
    const team = await createTeam(server, 'Hooks recheck');
    const rx = await receiver();
    const { endpoint } = await team.admin.api.webhooks.create.mutate({ teamId: team.teamId, url: rx.url, events: ['key.created'] });
    // As if the address had become internal since it was saved (a DNS answer that changed).
    server.services.webhooks.options.policy = { allowHttpLoopback: false, allowPrivate: false };
    await team.admin.api.webhooks.test.mutate({ teamId: team.teamId, endpointId: endpoint.id });
    await settleOutbox(server);
    const { items } = await team.admin.api.webhooks.deliveries.query({ teamId: team.teamId, endpointId: endpoint.id });
    expect(items).toHaveLength(1);
    expect(items[0]).toMatchObject({ event: 'ping', statusCode: null, outcome: 'failed' });
    expect(items[0]!.error).toMatch(/refused target/);
    expect(rx.receipts).toHaveLength(0);
  });

  it('delivers only the events an endpoint subscribed to, and nothing once it is disabled', async () => {
    const team = await createTeam(server, 'Hooks filter');
    const rx = await receiver();
    const { endpoint } = await team.admin.api.webhooks.create.mutate({ teamId: team.teamId, url: rx.url, events: ['member.added', 'settings.updated'] });
    await issueKey(server, team.admin, team.teamId, 'not subscribed');
    const mia = await team.admin.api.members.add.mutate({ teamId: team.teamId, email: 'mia-hooks@example.test', role: 'member' });
    await until(() => rx.of('member.added').length > 0);
    expect(JSON.parse(rx.of('member.added')[0]!.body).data.member).toMatchObject({ email: 'mia-hooks@example.test' });
    await team.admin.api.webhooks.update.mutate({ teamId: team.teamId, endpointId: endpoint.id, events: ['member.removed'] });
    await team.admin.api.members.remove.mutate({ teamId: team.teamId, userId: (mia as { userId: string }).userId });
    await until(() => rx.of('member.removed').length > 0);
    expect(JSON.parse(rx.of('member.removed')[0]!.body).data.member).toMatchObject({ email: 'mia-hooks@example.test', role: 'member' });

    await team.admin.api.webhooks.update.mutate({ teamId: team.teamId, endpointId: endpoint.id, events: ['member.added'], enabled: false });
    await team.admin.api.members.add.mutate({ teamId: team.teamId, email: 'noa-hooks@example.test', role: 'member' });
    await settleOutbox(server);
    expect(rx.receipts.map((r) => JSON.parse(r.body).type)).toEqual(['member.added', 'member.removed']);
  });
});
