import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTeam, startTestServer, type TestServer } from '../helpers/harness';
import { DAY, setClock, until } from '../helpers/notify';
import { keyWithCredits, LIMITS_ENV, peerOf, spread, storedOf, verifyOn } from '../helpers/credit-calls';

/**
 * A slice of credits belongs to one balance: an admin's new balance or a refill drops it (neither
 * spent nor given back), and a stopped instance gives its unspent slices back.
 */
let a: TestServer;
let b: TestServer;
let team: Awaited<ReturnType<typeof createTeam>>;

beforeAll(async () => {
  a = await startTestServer({ label: 'credits-slices-changes', env: LIMITS_ENV });
  b = await peerOf(a, 'credits-slices-changes-b');
  team = await createTeam(a, 'Slice changes');
});
afterAll(async () => {
  await b.stop();
  await a.close();
});

/** `n` verifies one after another on `server`, all admitted. */
async function spendOn(server: TestServer, key: string, n: number) {
  for (let i = 0; i < n; i++) expect((await verifyOn(server, { key })).valid).toBe(true);
}

/** Puts every given server's clock at `hoursIntoDay` hours after the UTC midnight `days` days from today. */
function moveTo(days: number, hoursIntoDay: number, ...servers: TestServer[]) {
  const midnight = Math.floor(Date.now() / DAY) * DAY + days * DAY;
  const offset = midnight + hoursIntoDay * 3_600_000 - Date.now();
  for (const s of servers) setClock(s, offset);
}

describe('a slice and its balance', () => {
  it("does not survive an admin's new balance: after remaining 5, five more calls are admitted over all instances", async () => {
    const c = await peerOf(a, 'credits-slices-changes-c');
    const { key, keyId, hash } = await keyWithCredits(a, team, 'reset by an admin', { remaining: 20_000 });
    // Every instance holds a slice of the 20,000.
    for (const s of [a, b, c]) await spendOn(s, key, 10);

    await team.admin.api.keys.update.mutate({ teamId: team.teamId, keyId, credits: { remaining: 5 } });
    // An instance stopped now gives its slice back: it is of the old balance, so it is dropped, not added to the 5.
    await c.stop();
    expect(await storedOf(a, hash)).toBe(5);
    // The other instance learns of the change with the key's state (the revision poll, as for a revocation).
    await until(async () => (await verifyOn(b, { key, cost: 0 })).credits!.remaining <= 5);

    expect(await spread([a, b], key, 40)).toBe(5);
    expect(await storedOf(a, hash)).toBe(0);
  });

  it('gives its unspent credits back when its instance stops', async () => {
    const c = await peerOf(a, 'credits-slices-changes-d');
    const { key, hash } = await keyWithCredits(a, team, 'stopped', { remaining: 20_000 });
    expect(await spread([c], key, 30, undefined, 5)).toBe(30);
    await c.stop();
    expect(await storedOf(a, hash)).toBe(20_000 - 30);
  });

  it('does not survive a refill: the new day admits exactly its amount, over two instances', async () => {
    try {
      moveTo(0, 12, a, b);
      const amount = 3_000;
      const { key, hash } = await keyWithCredits(a, team, 'refilled', { remaining: 5_000, refill: { amount, interval: 'daily' } });
      // Both instances hold a slice of today's balance ...
      await spendOn(a, key, 10);
      await spendOn(b, key, 10);
      // ... when the day turns: neither slice is spent or given back in the new one.
      moveTo(1, 0.5, a, b);
      let admitted = await spread([a, b], key, amount + 500);
      expect(admitted).toBeLessThanOrEqual(amount);
      // Once the slices of the new day are given back, what was admitted and what is stored make the amount ...
      await until(async () => admitted + (await storedOf(a, hash)) === amount, 30_000);
      // ... and the rest is admitted exactly.
      const rest = amount - admitted;
      admitted += await spread([a, b], key, rest + 20);
      expect(admitted).toBe(amount);
      expect(await storedOf(a, hash)).toBe(0);
    } finally {
      setClock(a, 0);
      setClock(b, 0);
    }
  }, 180_000);
});
