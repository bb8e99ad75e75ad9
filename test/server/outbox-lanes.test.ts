import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createTeam, startTestServer, type TestServer } from '../helpers/harness';
import { DAY, seedKey } from '../helpers/keys';
import { issueKey, settleOutbox, startPeer, until } from '../helpers/notify';
import { startSmtpSink, type SmtpSink } from '../helpers/smtp-sink';
import { startReceiver, type Receiver } from '../helpers/webhook-receiver';

/**
 * The outbox's lanes: emails never wait behind webhook deliveries, and a slow endpoint holds up
 * only its own deliveries. The slow endpoint is a real receiver on loopback that answers after
 * 9.5 s (as the one that delayed a revocation email by 57 s did); the emails go to a real SMTP sink.
 */
const SLOW_MS = 9_500;
/** What "promptly" means here: well under one slow answer, generous for a loaded machine. */
const PROMPT_MS = 5_000;
let sink: SmtpSink;
let server: TestServer;
const receivers: Receiver[] = [];

async function receiver(answerAfterMs = 0) {
  const r = await startReceiver();
  r.answerAfter(answerAfterMs);
  receivers.push(r);
  return r;
}

/** An endpoint that answers after 9.5 s, with six "Send test" pings queued to it and the first one in flight. */
async function busySlowEndpoint(team: Awaited<ReturnType<typeof createTeam>>) {
  const slow = await receiver(SLOW_MS);
  const { endpoint } = await team.admin.api.webhooks.create.mutate({ teamId: team.teamId, url: slow.url, events: ['key.created'] });
  for (let i = 0; i < 6; i++) await team.admin.api.webhooks.test.mutate({ teamId: team.teamId, endpointId: endpoint.id });
  await until(() => slow.inFlight() > 0);
  return slow;
}

beforeAll(async () => {
  sink = await startSmtpSink();
  server = await startTestServer({ label: 'outbox-lanes', smtpUrl: sink.url, env: { WEBHOOKS_ALLOW_HTTP_LOOPBACK: 'true' } });
});
afterEach(async () => {
  // Cuts the slow answers still held, so the next test starts with no endpoint busy.
  while (receivers.length) await receivers.pop()!.stop();
});
afterAll(async () => {
  await server?.close();
  await sink?.stop();
});

describe('outbox lanes', () => {
  it("delivers another team's revocation email within 5 s while a slow endpoint is busy", async () => {
    const hooked = await createTeam(server, 'Lanes slow hook');
    const slow = await busySlowEndpoint(hooked);

    const team = await createTeam(server, 'Lanes mail');
    const owner = await team.addUser('ann');
    const key = await issueKey(server, owner, team.teamId, 'lanes revoked');
    const started = Date.now();
    await team.admin.api.keys.revoke.mutate({ teamId: team.teamId, keyIds: [key.id] });
    await sink.waitFor(() => sink.to(owner.email).length > 0, PROMPT_MS);
    expect(Date.now() - started).toBeLessThan(PROMPT_MS);
    expect(sink.to(owner.email)[0]!.subject).toMatch(/revoked/i);
    // The slow endpoint was still on its first ping: the email did not wait for it.
    expect(slow.receipts).toHaveLength(1);
  }, 60_000);

  it('delivers to a second endpoint of the same team while the first one is slow', async () => {
    const team = await createTeam(server, 'Lanes two hooks');
    const slow = await busySlowEndpoint(team);
    const fast = await receiver();
    await team.admin.api.webhooks.create.mutate({ teamId: team.teamId, url: fast.url, events: ['key.created'] });

    await issueKey(server, team.admin, team.teamId, 'lanes both hear');
    await until(() => fast.of('key.created').length > 0, PROMPT_MS);
    expect(slow.of('key.created')).toHaveLength(0);
    expect(slow.receipts).toHaveLength(1);
  }, 60_000);

  it('keeps at most endpointsInFlight endpoints in flight, and delivers to the others as slots free up', async () => {
    const saved = server.services.outbox.options.endpointsInFlight;
    server.services.outbox.options.endpointsInFlight = 2;
    try {
      const team = await createTeam(server, 'Lanes cap');
      const held = await Promise.all([1, 2, 3, 4].map(() => receiver(1_500)));
      for (const r of held) {
        const { endpoint } = await team.admin.api.webhooks.create.mutate({ teamId: team.teamId, url: r.url, events: ['key.created'] });
        await team.admin.api.webhooks.test.mutate({ teamId: team.teamId, endpointId: endpoint.id });
      }
      let peak = 0;
      await until(() => {
        peak = Math.max(peak, held.reduce((n, r) => n + r.inFlight(), 0));
        return held.every((r) => r.receipts.length === 1 && r.inFlight() === 0);
      });
      expect(peak).toBe(2);
    } finally {
      server.services.outbox.options.endpointsInFlight = saved;
    }
  }, 60_000);

  it('gives a waiting endpoint the slot after the busy endpoint\'s current delivery, not after its whole backlog', async () => {
    const saved = server.services.outbox.options.endpointsInFlight;
    server.services.outbox.options.endpointsInFlight = 1;
    try {
      const team = await createTeam(server, 'Lanes turns');
      const busy = await receiver(1_500);
      const { endpoint } = await team.admin.api.webhooks.create.mutate({ teamId: team.teamId, url: busy.url, events: ['key.created'] });
      for (let i = 0; i < 8; i++) await team.admin.api.webhooks.test.mutate({ teamId: team.teamId, endpointId: endpoint.id });
      // Past the first pass, whose batch held what was due when it started: the backlog is now one batch.
      await until(() => busy.receipts.length >= 2);
      const other = await receiver();
      const second = await team.admin.api.webhooks.create.mutate({ teamId: team.teamId, url: other.url, events: ['key.created'] });
      await team.admin.api.webhooks.test.mutate({ teamId: team.teamId, endpointId: second.endpoint.id });
      await until(() => other.receipts.length === 1);
      // The other endpoint waited for at most the delivery in flight (and one begun as it was queued), not the 6 left.
      expect(busy.receipts.length).toBeLessThanOrEqual(4);
      await until(() => busy.receipts.length === 8);
    } finally {
      server.services.outbox.options.endpointsInFlight = saved;
    }
  }, 60_000);

  it('sends every email and every delivery once when two instances drain all lanes at the same moment', async () => {
    const team = await createTeam(server, 'Lanes twice');
    const hooks = await Promise.all([receiver(), receiver(), receiver()]);
    for (const r of hooks) {
      const { endpoint } = await team.admin.api.webhooks.create.mutate({ teamId: team.teamId, url: r.url, events: ['key.created'] });
      for (let i = 0; i < 5; i++) await team.admin.api.webhooks.test.mutate({ teamId: team.teamId, endpointId: endpoint.id });
    }
    const to = Array.from({ length: 30 }, (_, i) => `lanes-twice-${i}-${team.teamId}@example.test`);
    const peer = await startPeer(server, 'outbox-lanes-peer', sink.url);
    try {
      // Written while neither instance is kicked, so both find all of them due at once.
      await settleOutbox(server);
      for (const [i, address] of to.entries()) {
        await server.services.outbox.enqueue({ id: `lanes_twice_${team.teamId}_${i}`, teamId: team.teamId, userId: null, to: address, subject: 'Twice?', text: 'once', html: '', createdAt: new Date() });
      }
      await Promise.all([server.services.outbox.drain(), peer.services.outbox.drain()]);
      await settleOutbox(server, peer);
      for (const address of to) expect(sink.to(address)).toHaveLength(1);
      for (const r of hooks) {
        expect(r.of('ping')).toHaveLength(5);
        expect(new Set(r.receipts.map((x) => x.headers['webhook-id'])).size).toBe(5);
      }
    } finally {
      await peer.stop();
    }
  }, 60_000);

  it('keeps the background jobs ticking while a slow endpoint is busy: an expiry warning from a later tick goes out promptly', async () => {
    const ticking = await startTestServer({
      label: 'outbox-lanes-jobs',
      smtpUrl: sink.url,
      jobs: true,
      env: { WEBHOOKS_ALLOW_HTTP_LOOPBACK: 'true', JOB_INTERVAL_SECONDS: '1' },
    });
    try {
      // Counts the job's runs of the outbox (whichever way it starts the sends).
      let outboxRuns = 0;
      const outbox = ticking.services.outbox;
      const { drain, wake } = outbox;
      outbox.drain = () => (outboxRuns++, drain());
      outbox.wake = () => (outboxRuns++, wake());
      await busySlowEndpoint(await createTeam(ticking, 'Lanes jobs hook'));
      // The ticks go on: a run that met the slow endpoint's queue returns, and a later tick runs the job again.
      const runsWhenBusy = outboxRuns;
      await until(() => outboxRuns >= runsWhenBusy + 2, 2 * PROMPT_MS);

      const team = await createTeam(ticking, 'Lanes jobs mail');
      const owner = await team.addUser('eve');
      await seedKey(ticking, { teamId: team.teamId, ownerId: owner.userId, name: 'expires soon', createdAt: new Date(Date.now() - 60 * DAY), expiresAt: new Date(Date.now() + 2 * DAY) });
      // Written by the expiry-warnings job of a later tick, not by this test.
      await sink.waitFor(() => sink.to(owner.email).length > 0, 2 * PROMPT_MS);
      expect(sink.to(owner.email)[0]!.subject).toMatch(/expir/i);
    } finally {
      // Cuts the slow answer in flight, so the server stops without waiting for it.
      while (receivers.length) await receivers.pop()!.stop();
      await ticking.close();
    }
  }, 60_000);
});
