import type { Collections } from './collections';
import { onlyDuplicates } from './insert-once';

/** A job's one lease document. */
const jobLeaseId = (job: string) => `job:${job}`;

/**
 * Leases: one document per background job (`job:{name}`), taken by a
 * conditional `findOneAndUpdate` that matches only a lease that has ended or
 * belongs to an earlier time window.
 */
export function leasesRepo(cols: Collections) {
  return {
    /**
     * Takes `job` for the time window holding `now` (windows of `ms`), unless another owner holds
     * it in this window: one conditional write, so of several instances one wins. A crashed
     * holder's lease stops mattering when it ends or its window passes.
     */
    async takeJob(job: string, owner: string, now: Date, ms: number): Promise<boolean> {
      const window = Math.floor(now.getTime() / ms);
      try {
        const taken = await cols.leases.findOneAndUpdate(
          { _id: jobLeaseId(job), $or: [{ until: { $lte: now } }, { window: { $lt: window } }] },
          { $set: { owner, window, until: new Date(now.getTime() + ms) } },
          { upsert: true, returnDocument: 'after' },
        );
        return taken?.owner === owner;
      } catch (err) {
        // The lease exists and is held: the upsert's insert of the same `_id` lost.
        if (onlyDuplicates(err)) return false;
        throw err;
      }
    },

    /** Ends `owner`'s lease on `job`, so the next tick of any instance may take it. */
    async releaseJob(job: string, owner: string): Promise<void> {
      await cols.leases.updateOne({ _id: jobLeaseId(job), owner }, { $set: { until: new Date(0) } });
    },

    /** Without `owner`, whoever holds it: the thing it guarded is settled. */
    async release(id: string, owner?: string): Promise<void> {
      await cols.leases.deleteOne(owner ? { _id: id, owner } : { _id: id });
    },
    /** Stale outbox claims, and leases of jobs that have not run for a while (taking one writes it again). */
    async purgeEndedBefore(before: Date): Promise<void> {
      await cols.leases.deleteMany({ until: { $lt: before } });
    },
  };
}
export type LeasesRepo = ReturnType<typeof leasesRepo>;
