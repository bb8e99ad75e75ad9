import { Webhook } from 'standardwebhooks';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BADGE_AMBER } from '../../shared/schemas/alerts';
import { createTeam, startTestServer, type TestServer, type TestUser } from '../helpers/harness';
import { settleOutbox, until } from '../helpers/notify';
import { startReceiver, type Receiver } from '../helpers/webhook-receiver';

/** Issue 25's alerts: once per crossing (credits), once per key and day (rate limited), over two instances. */
let a: TestServer;
let b: TestServer;
let team: Awaited<ReturnType<typeof createTeam>>;
const env = { VERIFY_RATE_LIMIT_PER_IP: '1000000', VERIFY_CONCURRENCY_PER_IP: '1000', WEBHOOKS_ALLOW_HTTP_LOOPBACK: 'true' };
let rx: Receiver | null = null;

beforeAll(async () => {
  a = await startTestServer({ label: 'limits-alerts', env });
  b = await startTestServer({ label: 'limits-alerts-b', env: { ...env, MONGODB_DB: a.dbName } });
  team = await createTeam(a, 'Alerting');
});
afterAll(async () => {
  await rx?.stop();
  await b.stop();
  await a.close();
});

async function verifyOn(server: TestServer, key: string): Promise<{ valid: boolean; code?: string }> {
  const res = await fetch(`${server.url}/v1/keys/verify`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ key }) });
  return (await res.json()) as { valid: boolean; code?: string };
}
/** `n` verifies at once, spread over both instances. */
const burst = (key: string, n: number) => Promise.all(Array.from({ length: n }, (_, i) => verifyOn(i % 2 ? b : a, key)));

async function noticesOf(user: TestUser, kind: string, keyId: string) {
  const { items } = await user.api.notifications.list.query({ teamId: team.teamId });
  return items.filter((n) => n.kind === kind && n.keys.some((k) => k.id === keyId));
}

/** A member's key whose credits an admin set. */
async function memberKeyWithCredits(remaining: number) {
  const owner = await team.addUser('owner');
  const { key, row } = await owner.api.keys.create.mutate({ teamId: team.teamId, name: `metered ${remaining}` });
  await team.admin.api.keys.update.mutate({ teamId: team.teamId, keyId: row.id, credits: { remaining } });
  return { owner, key, keyId: row.id };
}

describe('credit alerts', () => {
  it('tells the owner and the admins once when credits fall to 10%, and once at 0, however many calls cross', async () => {
    const { owner, key, keyId } = await memberKeyWithCredits(40);
    // 40 -> 5: nobody is told yet (10% of 40 is 4).
    expect((await burst(key, 35)).every((x) => x.valid)).toBe(true);
    expect(await noticesOf(owner, 'key_credits_low', keyId)).toHaveLength(0);
    // Many concurrent calls over both instances cross 10% and then 0: one notice of each, per reader.
    const answers = await burst(key, 30);
    expect(answers.filter((x) => x.valid)).toHaveLength(5);
    for (const reader of [owner, team.admin]) {
      await until(async () => (await noticesOf(reader, 'key_credits_exhausted', keyId)).length === 1 && (await noticesOf(reader, 'key_credits_low', keyId)).length === 1);
    }
    // More refusals tell nobody again.
    await burst(key, 10);
    await a.services.outbox.idle();
    expect(await noticesOf(owner, 'key_credits_exhausted', keyId)).toHaveLength(1);
    expect(await noticesOf(team.admin, 'key_credits_low', keyId)).toHaveLength(1);
    const summary = await owner.api.alerts.summary.query();
    expect(summary).toMatchObject({ badge: { color: BADGE_AMBER } });
    const [low] = await noticesOf(owner, 'key_credits_low', keyId);
    expect(low!.message).toMatch(/credits left/);
  });

  it('measures 10% from the last top-up and alerts again after it', async () => {
    const { owner, key, keyId } = await memberKeyWithCredits(10);
    await burst(key, 9);
    await until(async () => (await noticesOf(owner, 'key_credits_low', keyId)).length === 1);
    // A top-up to 100: the next 10% is 10 credits, crossed at the 90th call.
    await team.admin.api.keys.update.mutate({ teamId: team.teamId, keyId, credits: { remaining: 100 } });
    await burst(key, 89);
    expect(await noticesOf(owner, 'key_credits_low', keyId)).toHaveLength(1);
    await burst(key, 1);
    await until(async () => (await noticesOf(owner, 'key_credits_low', keyId)).length === 2);
  });
});

describe('rate-limit alerts', () => {
  it('sends at most one key_rate_limited notice per key and day, whatever the instances', async () => {
    const owner = await team.addUser('busy');
    const { key, row } = await owner.api.keys.create.mutate({ teamId: team.teamId, name: 'busy key' });
    await team.admin.api.keys.update.mutate({ teamId: team.teamId, keyId: row.id, ratelimits: [{ name: 'api', limit: 2, durationMs: 86_400_000 }] });
    const answers = await burst(key, 20);
    expect(answers.filter((x) => x.code === 'RATE_LIMITED')).toHaveLength(18);
    for (const reader of [owner, team.admin]) await until(async () => (await noticesOf(reader, 'key_rate_limited', row.id)).length === 1);
    await burst(key, 10);
    await a.services.outbox.idle();
    expect(await noticesOf(owner, 'key_rate_limited', row.id)).toHaveLength(1);
    expect(await noticesOf(team.admin, 'key_rate_limited', row.id)).toHaveLength(1);
  });
});

describe('limit alerts as webhooks', () => {
  it('delivers key.credits_low, key.credits_exhausted and key.rate_limited once each, signed, naming the key and never its value', async () => {
    const hooked = await createTeam(a, 'Alerting hooks');
    rx = await startReceiver();
    const { secret } = await hooked.admin.api.webhooks.create.mutate({
      teamId: hooked.teamId,
      url: rx.url,
      events: ['key.credits_low', 'key.credits_exhausted', 'key.rate_limited'],
    });
    const metered = await hooked.admin.api.keys.create.mutate({ teamId: hooked.teamId, name: 'metered hook' });
    await hooked.admin.api.keys.update.mutate({ teamId: hooked.teamId, keyId: metered.row.id, credits: { remaining: 20 } });
    const limited = await hooked.admin.api.keys.create.mutate({ teamId: hooked.teamId, name: 'limited hook' });
    await hooked.admin.api.keys.update.mutate({ teamId: hooked.teamId, keyId: limited.row.id, ratelimits: [{ name: 'api', limit: 1, durationMs: 86_400_000 }] });

    // Both instances spend, one call at a time down to 1 credit (crossing 10%), then at once past 0.
    for (let i = 0; i < 19; i++) expect(await verifyOn(i % 2 ? b : a, metered.key)).toMatchObject({ valid: true });
    await burst(metered.key, 10);
    // The limited key is refused 9 times, over both instances.
    await burst(limited.key, 10);
    await until(() => ['key.credits_low', 'key.credits_exhausted', 'key.rate_limited'].every((type) => rx!.of(type).length > 0));
    await settleOutbox(a, b);

    const events = rx.receipts.map((r) => ({
      body: r.body,
      event: new Webhook(secret).verify(r.body, {
        'webhook-id': String(r.headers['webhook-id']),
        'webhook-timestamp': String(r.headers['webhook-timestamp']),
        'webhook-signature': String(r.headers['webhook-signature']),
      }) as { type: string; data: { teamId: string; keys: { id: string }[]; credits?: { remaining: number; base: number }; limits?: string[] } },
    }));
    expect(events.map((e) => e.event.type).sort()).toEqual(['key.credits_exhausted', 'key.credits_low', 'key.rate_limited']);
    const byType = Object.fromEntries(events.map((e) => [e.event.type, e.event.data]));
    expect(byType['key.credits_low']).toMatchObject({ teamId: hooked.teamId, keys: [{ id: metered.row.id }], credits: { remaining: 2, base: 20 } });
    expect(byType['key.credits_exhausted']).toMatchObject({ keys: [{ id: metered.row.id }], credits: { remaining: 0, base: 20 } });
    expect(byType['key.rate_limited']).toMatchObject({ keys: [{ id: limited.row.id }], limits: ['api'] });
    for (const { body } of events) {
      expect(body).not.toContain(metered.key);
      expect(body).not.toContain(limited.key);
    }
  });
});
