import { randomUUID } from 'node:crypto';
import type { Deps } from '../deps';
import type { JobLeasesService } from '../services/job-leases.service';

/**
 * Periodic background work that is safe on N server instances. A run first
 * takes the job's lease (one conditional write on the job's lease document),
 * so at most one instance runs a job at a time. The lease is released when the
 * run ends; one left by a crashed instance stops mattering when it ends or its
 * time window passes. Each job is idempotent anyway, so a lost lease or a
 * crash only delays work.
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

  async function release(job: string) {
    await leases.release(job, owner).catch(() => {});
  }

  async function tick() {
    for (const job of jobs) {
      try {
        if (!(await leases.take(job.name, owner, leaseMs))) continue;
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
