import { DAY_MS } from '../../shared/time';
import type { Deps } from '../deps';
import type { LeasesRepo } from '../db/leases.repo';

/** Who runs a background job this time window, across server instances (jobs/runner.ts). */
export function jobLeasesService(deps: Deps, leases: LeasesRepo) {
  return {
    /** The lease's id when `owner` got the job for the current window of `ms`, else null. */
    take: (job: string, owner: string, ms: number) => leases.takeWindow(job, owner, deps.now(), ms),
    release: (id: string, owner: string) => leases.release(id, owner),
    /** Leases of crashed runs (and stale claims) older than a day. */
    purgeStale: () => leases.purgeEndedBefore(new Date(deps.now().getTime() - DAY_MS)),
  };
}
export type JobLeasesService = ReturnType<typeof jobLeasesService>;
