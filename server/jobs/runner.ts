import { randomUUID } from 'node:crypto';
import type { Deps } from '../deps';

/**
 * Periodic background work that is safe on N server instances: each run takes
 * a lease document first (a conditional upsert only one instance wins), and
 * each job is idempotent, so a lost lease or a crash only delays work.
 */
export interface Job {
  name: string;
  run(): Promise<unknown>;
}

export function createJobRunner(deps: Deps, jobs: Job[], options: { intervalMs: number; leaseMs?: number }) {
  const owner = randomUUID();
  const leaseMs = options.leaseMs ?? Math.max(options.intervalMs - 1000, 5_000);
  let timer: NodeJS.Timeout | null = null;
  let running: Promise<void> | null = null;

  async function acquire(name: string): Promise<boolean> {
    const now = deps.now();
    try {
      const res = await deps.cols.leases.updateOne(
        { _id: name, $or: [{ until: { $lte: now } }, { owner }] },
        { $set: { owner, until: new Date(now.getTime() + leaseMs) } },
        { upsert: true },
      );
      return res.modifiedCount + res.upsertedCount === 1;
    } catch {
      // A duplicate-key error on upsert means another instance holds the lease.
      return false;
    }
  }

  async function release(name: string) {
    await deps.cols.leases.updateOne({ _id: name, owner }, { $set: { until: new Date(0) } }).catch(() => {});
  }

  async function tick() {
    for (const job of jobs) {
      try {
        if (!(await acquire(job.name))) continue;
        try {
          await job.run();
        } finally {
          await release(job.name);
        }
      } catch (err) {
        deps.log.error(`job ${job.name} failed (it will run again)`, err);
      }
    }
  }

  return {
    /** Runs every job once now (tests, and the first tick at start-up). */
    runOnce: () => (running ??= tick().finally(() => (running = null))),
    start() {
      timer = setInterval(() => void this.runOnce(), options.intervalMs);
      timer.unref();
      void this.runOnce();
    },
    async stop() {
      if (timer) clearInterval(timer);
      timer = null;
      await running;
    },
  };
}
export type JobRunner = ReturnType<typeof createJobRunner>;
