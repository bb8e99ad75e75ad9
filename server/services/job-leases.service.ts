import { DAY_MS } from '../../shared/time';
import type { Deps } from '../deps';
import type { LeasesRepo } from '../db/leases.repo';

/** Who runs a background job this time window, across server instances (jobs/runner.ts). */
export function jobLeasesService(deps: Deps, leases: LeasesRepo) {
  return {
    /** Whether `owner` got `job` for the current window of `ms` (nobody else holds it). */
    take: (job: string, owner: string, ms: number) => leases.takeJob(job, owner, deps.now(), ms),
    release: (job: string, owner: string) => leases.releaseJob(job, owner),
    /** Leases of crashed runs (and stale claims) older than a day. */
    purgeStale: () => leases.purgeEndedBefore(new Date(deps.now().getTime() - DAY_MS)),
  };
}
export type JobLeasesService = ReturnType<typeof jobLeasesService>;
