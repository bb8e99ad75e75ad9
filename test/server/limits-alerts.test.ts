import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BADGE_AMBER } from '../../shared/schemas/alerts';
import { createTeam, startTestServer, type TestServer, type TestUser } from '../helpers/harness';
import { until } from '../helpers/notify';

/** Issue 25's alerts: once per crossing (credits), once per key and day (rate limited), over two instances. */
let a: TestServer;
let b: TestServer;
let team: Awaited<ReturnType<typeof createTeam>>;
const env = { VERIFY_RATE_LIMIT_PER_IP: '1000000', VERIFY_CONCURRENCY_PER_IP: '1000' };

beforeAll(async () => {
  a = await startTestServer({ label: 'limits-alerts', env });
  b = await startTestServer({ label: 'limits-alerts-b', env: { ...env, MONGODB_DB: a.dbName } });
  team = await createTeam(a, 'Alerting');
});
afterAll(async () => {
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
