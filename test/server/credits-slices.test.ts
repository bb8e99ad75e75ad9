import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTeam, startTestServer, type TestServer } from '../helpers/harness';
import { until } from '../helpers/notify';
import { keyWithCredits, keyWrites, LIMITS_ENV, peerOf, spread, storedOf, verifyOn } from '../helpers/credit-calls';

/**
 * Credits spent from slices reserved in the database (server/services/credit-slices.ts), on the
 * real embedded engine with two instances: a verify usually waits for no write, nothing is ever
 * oversold, and every unspent credit goes back once the calls stop.
 */
let a: TestServer;
let b: TestServer;
let team: Awaited<ReturnType<typeof createTeam>>;
let writesOnA: () => number;

beforeAll(async () => {
  a = await startTestServer({ label: 'credits-slices', env: LIMITS_ENV, monitorCommands: true });
  b = await peerOf(a, 'credits-slices-b');
  team = await createTeam(a, 'Slices');
  writesOnA = keyWrites(a);
});
afterAll(async () => {
  await b.stop();
  await a.close();
});

/** `n` verifies one after another on `server`: their answers' `remaining`. */
async function oneByOne(server: TestServer, key: string, n: number): Promise<number[]> {
  const remaining: number[] = [];
  for (let i = 0; i < n; i++) {
    const answer = await verifyOn(server, { key });
    expect(answer.valid).toBe(true);
    remaining.push(answer.credits!.remaining);
  }
  return remaining;
}

describe('credit slices', () => {
  it('spends a large balance from a slice: twenty verifies send one or two writes, and count down as the exact path would', async () => {
    const { key, hash } = await keyWithCredits(a, team, 'large', { remaining: 20_000 });
    const before = writesOnA();
    expect(await oneByOne(a, key, 20)).toEqual(Array.from({ length: 20 }, (_, i) => 19_999 - i));
    // The exact path writes once per call; a slice of 100 covers all twenty (a second one if the key went idle meanwhile).
    expect(writesOnA() - before).toBeLessThanOrEqual(3);
    // `cost: 0` answers from the slice too, and spends nothing.
    expect(await verifyOn(a, { key, cost: 0 })).toMatchObject({ valid: true, credits: { remaining: 19_980 } });
    // Once the key is idle, the rest of the slice goes back.
    await until(async () => (await storedOf(a, hash)) === 19_980);
  });

  it('leaves a small balance to the exact path: one write per call, as before', async () => {
    const { key, hash } = await keyWithCredits(a, team, 'small', { remaining: 1_000 });
    const before = writesOnA();
    expect(await oneByOne(a, key, 5)).toEqual([999, 998, 997, 996, 995]);
    expect(writesOnA() - before).toBe(5);
    expect(await storedOf(a, hash)).toBe(995);
  });

  it('works for a key stored before balances carried setAt (a missing field matches null on the engine)', async () => {
    const { key, hash } = await keyWithCredits(a, team, 'legacy', { remaining: 20_000 });
    await a.storage.cols.keys.updateOne({ _id: hash }, { $unset: { 'credits.setAt': '' } });
    expect((await a.storage.cols.keys.findOne({ _id: hash }))!.credits).not.toHaveProperty('setAt');
    const before = writesOnA();
    expect(await oneByOne(a, key, 20)).toEqual(Array.from({ length: 20 }, (_, i) => 19_999 - i));
    // The reservation matched the document without setAt ...
    expect(writesOnA() - before).toBeLessThanOrEqual(3);
    // ... and so did the give-back of the rest.
    await until(async () => (await storedOf(a, hash)) === 19_980);
  });

  it('never oversells over two instances and 40 clients, and nothing is lost once the idle slices are given back', async () => {
    const initial = 20_000;
    const { key, hash } = await keyWithCredits(a, team, 'contended', { remaining: initial });
    let admitted = 0;
    let answered = 0;
    const calls = 22_000;
    const got = await spread([a, b], key, calls, async (answer) => {
      if (answer.valid) admitted++;
      expect(admitted).toBeLessThanOrEqual(initial);
      // Now and then: what was admitted and what is stored never add up to more than the balance.
      if (++answered % 1000 === 0) {
        const seen = admitted;
        expect(seen + (await storedOf(a, hash))).toBeLessThanOrEqual(initial);
      }
    });
    expect(got).toBe(admitted);
    expect(answered).toBe(calls);
    // Both instances give back their idle slices: every credit is either admitted or stored.
    await until(async () => admitted + (await storedOf(a, hash)) === initial, 30_000);
    // At most a slice per instance was still out when the calls ended.
    expect(admitted).toBeGreaterThanOrEqual(initial - 200);
    // What is left (given back after its instance's calls were refused) is spent exactly.
    const rest = initial - admitted;
    expect(await spread([a, b], key, rest + 20)).toBe(rest);
    expect(await storedOf(a, hash)).toBe(0);
  }, 300_000);
});
