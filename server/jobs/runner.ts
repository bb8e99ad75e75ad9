import { randomUUID } from 'node:crypto';
import { leasesRepo } from '../db/leases.repo';
import type { Deps } from '../deps';

/**
 * Periodic background work that is safe on N server instances. A run first
 * inserts a lease document whose `_id` names the job and the current time
 * window: inserting a fixed `_id` is atomic on every engine (a conditional
 * update is not, on FerretDB), so at most one instance runs a job at a time.
 * The lease is deleted when the run ends; one left by a crashed instance stops
 * mattering when the window passes. Each job is idempotent anyway, so a lost
 * lease or a crash only delays work.
 */
export interface Job {
  name: string;
  run(): Promise<unknown>;
}

export function createJobRunner(deps: Deps, jobs: Job[], options: { intervalMs: number; leaseMs?: number }) {
  const owner = randomUUID();
  const leaseMs = options.leaseMs ?? Math.max(options.intervalMs, 5_000);
  let timer: NodeJS.Timeout | null = null;
  let running: Promise<void> | null = null;

  const leases = leasesRepo(deps.cols);

  async function acquire(name: string): Promise<string | null> {
    const now = deps.now();
    const id = `job:${name}:${Math.floor(now.getTime() / leaseMs)}`;
    return (await leases.tryTake(id, owner, new Date(now.getTime() + leaseMs))) ? id : null;
  }

  async function release(id: string) {
    await leases.release(id, owner).catch(() => {});
  }

  async function tick() {
    for (const job of jobs) {
      try {
        const lease = await acquire(job.name);
        if (!lease) continue;
        try {
          await job.run();
        } finally {
          await release(lease);
        }
      } catch (err) {
        deps.log.error(`job ${job.name} failed (it will run again)`, err);
      }
    }
  }

  return {
    /** Leases of crashed runs (and stale claims) older than a day. */
    purgeStaleLeases: () => leases.purgeEndedBefore(new Date(deps.now().getTime() - 86_400_000)),
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
