import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { refillPeriod } from '../../server/services/credit-periods';
import { createTeam, startTestServer, type TestServer } from '../helpers/harness';
import { DAY, setClock } from '../helpers/notify';

/** Credit refills (issue 25): once per interval, whatever the instances and restarts, on a moved clock. */
let a: TestServer;
let b: TestServer;
let team: Awaited<ReturnType<typeof createTeam>>;
const env = { VERIFY_RATE_LIMIT_PER_IP: '1000000', VERIFY_CONCURRENCY_PER_IP: '1000' };
const peer = (label: string) => startTestServer({ label, env: { ...env, MONGODB_DB: a.dbName } });

beforeAll(async () => {
  a = await startTestServer({ label: 'limits-refill', env });
  b = await peer('limits-refill-b');
  team = await createTeam(a, 'Refills');
});
afterAll(async () => {
  await b.stop();
  await a.close();
});

type Answer = { valid: boolean; code?: string; credits?: { remaining: number } | null };
async function verifyOn(server: TestServer, key: string): Promise<Answer> {
  const res = await fetch(`${server.url}/v1/keys/verify`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ key }) });
  return (await res.json()) as Answer;
}

/** `calls` verifies spread over the servers, 20 at a time; how many were admitted. */
async function admittedOf(servers: TestServer[], key: string, calls: number): Promise<number> {
  const answers = await Promise.all(Array.from({ length: calls }, (_, i) => verifyOn(servers[i % servers.length]!, key)));
  for (const x of answers) if (!x.valid) expect(x.code).toBe('USAGE_EXCEEDED');
  return answers.filter((x) => x.valid).length;
}

/** Puts every given server's clock at `hoursIntoDay` hours after the UTC midnight `days` days from today. */
function moveTo(days: number, hoursIntoDay: number, ...servers: TestServer[]) {
  const midnight = Math.floor(Date.now() / DAY) * DAY + days * DAY;
  const offset = midnight + hoursIntoDay * 3_600_000 - Date.now();
  for (const s of servers) setClock(s, offset);
}

describe('refills', () => {
  it('a daily refill sets remaining to its amount once per day across two instances and a restart', async () => {
    moveTo(0, 12, a, b);
    const { key, row } = await team.admin.api.keys.create.mutate({ teamId: team.teamId, name: 'daily', credits: { remaining: 3, refill: { amount: 10, interval: 'daily' } } });
    // Today's balance is the one set: no refill until the next day.
    expect(await admittedOf([a, b], key, 6)).toBe(3);

    // The next day: one instance refills and spends; the other, which still holds yesterday's balance
    // in its cache, must find the day refilled already.
    moveTo(1, 0.5, a, b);
    const [listed] = (await team.admin.api.keys.list.query({ teamId: team.teamId, view: ['enabled'], search: row.name })).items;
    expect(listed!.credits).toEqual({ remaining: 10, refill: { amount: 10, interval: 'daily' } });
    expect(await admittedOf([a], key, 4)).toBe(4);
    expect(await admittedOf([b, a], key, 30)).toBe(6);

    // A restarted instance, later the same day, finds the day refilled already.
    await b.stop();
    b = await peer('limits-refill-c');
    moveTo(1, 23.9, a, b);
    expect(await admittedOf([b, a], key, 6)).toBe(0);

    // The day after: one more refill, even with both instances racing to it.
    moveTo(2, 0.1, a, b);
    expect(await admittedOf([a, b], key, 30)).toBe(10);
  });

  it('a monthly refill happens on its day, clamped to the month, once', async () => {
    moveTo(0, 1, a, b);
    const today = new Date(a.deps.now());
    const { key } = await team.admin.api.keys.create.mutate({
      teamId: team.teamId,
      name: 'monthly',
      credits: { remaining: 1, refill: { amount: 5, interval: 'monthly', refillDay: 31 } },
    });
    expect(await admittedOf([a, b], key, 3)).toBe(1);
    // Day 31 clamped to the month's last day: the first midnight of a new period after today.
    const next = Array.from({ length: 40 }, (_, d) => d + 1).find((d) => refillPeriod({ interval: 'monthly', refillDay: 31 }, new Date(today.getTime() + d * DAY)) !== refillPeriod({ interval: 'monthly', refillDay: 31 }, today))!;
    moveTo(next - 1, 23.5, a, b);
    expect(await admittedOf([a, b], key, 3)).toBe(0);
    moveTo(next, 0.01, a, b);
    expect(await admittedOf([a, b], key, 12)).toBe(5);
  });
});

describe('refillPeriod', () => {
  const at = (iso: string) => new Date(`${iso}T12:00:00Z`);
  it('names the UTC day for a daily refill', () => {
    expect(refillPeriod({ interval: 'daily' }, new Date('2026-03-01T00:00:00Z'))).toBe('2026-03-01');
    expect(refillPeriod({ interval: 'daily' }, new Date('2026-02-28T23:59:59.999Z'))).toBe('2026-02-28');
  });
  it('clamps a monthly refillDay to the month, and goes back a month before the day', () => {
    expect(refillPeriod({ interval: 'monthly', refillDay: 31 }, at('2026-04-30'))).toBe('2026-04-30');
    expect(refillPeriod({ interval: 'monthly', refillDay: 31 }, at('2026-04-29'))).toBe('2026-03-31');
    expect(refillPeriod({ interval: 'monthly', refillDay: 31 }, at('2026-02-28'))).toBe('2026-02-28');
    expect(refillPeriod({ interval: 'monthly', refillDay: 30 }, at('2028-02-29'))).toBe('2028-02-29');
    expect(refillPeriod({ interval: 'monthly', refillDay: 15 }, at('2026-01-14'))).toBe('2025-12-15');
    expect(refillPeriod({ interval: 'monthly' }, at('2026-07-09'))).toBe('2026-07-01');
  });
});
