import { randomUUID } from 'node:crypto';
import type { Deps } from '../deps';
import type { JobLeasesService } from '../services/job-leases.service';

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

export function createJobRunner(deps: Deps, leases: JobLeasesService, jobs: Job[], options: { intervalMs: number; leaseMs?: number }) {
  const owner = randomUUID();
  const leaseMs = options.leaseMs ?? Math.max(options.intervalMs, 5_000);
  let timer: NodeJS.Timeout | null = null;
  let running: Promise<void> | null = null;

  async function release(id: string) {
    await leases.release(id, owner).catch(() => {});
  }

  async function tick() {
    for (const job of jobs) {
      try {
        const lease = await leases.take(job.name, owner, leaseMs);
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
    purgeStaleLeases: () => leases.purgeStale(),
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
