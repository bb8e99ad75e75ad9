import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { auditOf } from '../helpers/fixtures';
import { seedKey } from '../helpers/keys';
import { createTeam, startTestServer, type TestServer } from '../helpers/harness';
import { issueKey, setClock, settleOutbox, until } from '../helpers/notify';
import { startSmtpSink, type SmtpSink } from '../helpers/smtp-sink';
import { startReceiver, type Receiver } from '../helpers/webhook-receiver';

/** The 24-hour limits (a receiver that never recovers) and the events made by the expiry pass. */
const HOUR = 3_600_000;
let server: TestServer;
let sink: SmtpSink;
let rx: Receiver;

beforeAll(async () => {
  sink = await startSmtpSink();
  rx = await startReceiver();
  server = await startTestServer({ label: 'webhooks-failing', smtpUrl: sink.url, env: { WEBHOOKS_ALLOW_HTTP_LOOPBACK: 'true' } });
});
afterAll(async () => {
  await server?.close();
  await rx?.stop();
  await sink?.stop();
});

describe('webhook endpoints that keep failing', () => {
  it('gives an event up after 24 h, turns the endpoint off, and tells the admins', async () => {
    const team = await createTeam(server, 'Hooks failing');
    const receiver = await startReceiver();
    receiver.setFallback(500);
    try {
      const { endpoint } = await team.admin.api.webhooks.create.mutate({ teamId: team.teamId, url: receiver.url, events: ['key.created'] });
      await issueKey(server, team.admin, team.teamId, 'never delivered');
      await until(() => receiver.receipts.length >= 1);
      await settleOutbox(server);
      expect((await team.admin.api.webhooks.list.query({ teamId: team.teamId }))[0]).toMatchObject({ enabled: true, failingSince: expect.any(Date) });

      // A day on, sessions have expired too: read through the services.
      setClock(server, 25 * HOUR);
      await settleOutbox(server);
      const [after] = await server.services.webhooks.list(team.teamId);
      expect(after).toMatchObject({ enabled: false, disabledReason: 'failing' });
      const { items } = await server.services.webhooks.deliveries(team.teamId, endpoint.id, undefined, 10);
      expect(items[0]).toMatchObject({ outcome: 'failed', nextRetryAt: null, statusCode: 500 });
      expect((await auditOf(server, team.teamId, 'webhook.disabled')).map((r) => r.targets.ids)).toEqual([[endpoint.id]]);
      const notice = await until(() => sink.to(team.admin.email).find((m) => /turned off/.test(m.subject ?? '')));
      expect(notice.text).toContain(receiver.url);

      // Off means off: a later event is not sent to it.
      const before = receiver.receipts.length;
      setClock(server, 0);
      await issueKey(server, team.admin, team.teamId, 'after disabling');
      await settleOutbox(server);
      expect(receiver.receipts).toHaveLength(before);
    } finally {
      setClock(server, 0);
      await receiver.stop();
    }
  }, 90_000);

  it('sends key.expiring and key.expired from the expiry pass, one event per notice', async () => {
    const team = await createTeam(server, 'Hooks expiry');
    await team.admin.api.webhooks.create.mutate({ teamId: team.teamId, url: rx.url, events: ['key.expiring', 'key.expired'] });
    const longAgo = new Date(Date.now() - 60 * 24 * HOUR);
    // Inside the team's 7-day warning, long after the key was made; and one past its expiry.
    const soon = await seedKey(server, { teamId: team.teamId, ownerId: team.admin.userId, name: 'expires soon', createdAt: longAgo, expiresAt: new Date(Date.now() + 2 * 24 * HOUR) });
    const gone = await seedKey(server, { teamId: team.teamId, ownerId: team.admin.userId, name: 'expired now', createdAt: longAgo, expiresAt: new Date(Date.now() - HOUR) });
    await server.services.expiryWarnings.run();
    await until(() => rx.of('key.expired').length >= 1 && rx.of('key.expiring').length >= 1);
    await settleOutbox(server);
    const expired = rx.of('key.expired').map((r) => JSON.parse(r.body));
    const expiring = rx.of('key.expiring').map((r) => JSON.parse(r.body));
    expect(expired.filter((e) => e.data.teamId === team.teamId)).toHaveLength(1);
    expect(expired[0].data.keys).toEqual([expect.objectContaining({ id: gone.id, name: 'expired now', ownerId: team.admin.userId })]);
    expect(expiring[0].data).toMatchObject({ thresholdDays: expect.any(Number), keys: [expect.objectContaining({ id: soon.id })] });
    // A second pass finds nothing new to say.
    await server.services.expiryWarnings.run();
    await settleOutbox(server);
    expect(rx.receipts).toHaveLength(2);
  });
});
