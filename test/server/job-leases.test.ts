import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createJobRunner } from '../../server/jobs/runner';
import { startTestServer, type TestServer } from '../helpers/harness';

/**
 * Background jobs across instances: a job's lease is one document, taken by one conditional write,
 * so of several instances ticking at once exactly one runs the job.
 */
const MINUTE = 60_000;
let a: TestServer;
let b: TestServer;

beforeAll(async () => {
  a = await startTestServer({ label: 'job-leases' });
  b = await startTestServer({ label: 'job-leases-b', dbName: a.dbName });
});
afterAll(async () => {
  await b.stop();
  await a.close();
});

/** Both instances' clocks at `t`. */
function clockAt(t: number) {
  a.deps.now = () => new Date(t);
  b.deps.now = () => new Date(t);
}

describe('job leases', () => {
  it('give each job to exactly one of many contenders on two instances, round after round', async () => {
    clockAt(Date.now());
    for (let round = 0; round < 40; round++) {
      const job = `race-${round}`;
      const contenders = Array.from({ length: 8 }, (_, i) => ({ server: i % 2 ? a : b, owner: `owner-${i}` }));
      const taken = await Promise.all(contenders.map((c) => c.server.services.jobLeases.take(job, c.owner, MINUTE)));
      expect(taken.filter(Boolean), `round ${round}`).toHaveLength(1);
    }
  });

  it('give a released job to exactly one of many contenders, round after round', async () => {
    clockAt(Date.now());
    let holder: string | null = null;
    for (let round = 0; round < 40; round++) {
      // The lease document exists: each round's winner is decided by the conditional update, not by an insert.
      if (holder) await a.services.jobLeases.release('contended', holder);
      const contenders = Array.from({ length: 8 }, (_, i) => ({ server: i % 2 ? a : b, owner: `owner-${round}-${i}` }));
      const taken = await Promise.all(contenders.map((c) => c.server.services.jobLeases.take('contended', c.owner, MINUTE)));
      expect(taken.filter(Boolean), `round ${round}`).toHaveLength(1);
      holder = contenders[taken.indexOf(true)]!.owner;
    }
  });

  it('keep a held job until it is released, its lease ends or its window passes', async () => {
    const t0 = Math.floor(Date.now() / MINUTE) * MINUTE;
    clockAt(t0);
    const leases = a.services.jobLeases;
    expect(await leases.take('held', 'x', MINUTE)).toBe(true);
    expect(await b.services.jobLeases.take('held', 'y', MINUTE)).toBe(false);
    // Only its owner releases it.
    await b.services.jobLeases.release('held', 'y');
    expect(await b.services.jobLeases.take('held', 'y', MINUTE)).toBe(false);
    await leases.release('held', 'x');
    expect(await b.services.jobLeases.take('held', 'y', MINUTE)).toBe(true);

    // A holder that crashed (never released): its lease lasts to the end of its window, then anyone takes it.
    clockAt(t0 + MINUTE);
    expect(await leases.take('held', 'x', MINUTE)).toBe(true);
    clockAt(t0 + 2 * MINUTE - 1);
    expect(await b.services.jobLeases.take('held', 'y', MINUTE)).toBe(false);
    clockAt(t0 + 2 * MINUTE);
    expect(await b.services.jobLeases.take('held', 'y', MINUTE)).toBe(true);
  });

  it('run a job on one instance at a time when both runners tick at once', async () => {
    clockAt(Date.now());
    const runs: string[] = [];
    let finish!: () => void;
    const blocked = new Promise<void>((resolve) => (finish = resolve));
    let started!: () => void;
    const running = new Promise<void>((resolve) => (started = resolve));
    const job = (name: string) => ({
      name: 'exclusive',
      async run() {
        runs.push(name);
        started();
        await blocked;
      },
    });
    const runnerA = createJobRunner(a.deps, a.services.jobLeases, [job('a')], { intervalMs: 60_000 });
    const runnerB = createJobRunner(b.deps, b.services.jobLeases, [job('b')], { intervalMs: 60_000 });
    const ticks = [runnerA.runOnce(), runnerB.runOnce()];
    // One of them runs the job (and waits in it); the other tick finds the lease held and skips the job.
    await Promise.race([running, Promise.all(ticks)]);
    await Promise.race(ticks);
    finish();
    await Promise.all(ticks);
    expect(runs).toHaveLength(1);

    // Released when the run ended: the next tick of either instance runs it again.
    await runnerB.runOnce();
    await runnerA.runOnce();
    expect(runs).toHaveLength(3);
  });
});
