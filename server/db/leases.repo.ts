import type { Collections } from './collections';

/**
 * Leases for job runs and outbox claims. Taking one inserts a fixed `_id`,
 * which is atomic on every engine (a conditional update is not, on FerretDB):
 * of several contenders, one wins.
 */
export function leasesRepo(cols: Collections) {
  return {
    /** False when another owner holds `id` (or the database cannot say: then nobody runs). */
    async tryTake(id: string, owner: string, until: Date): Promise<boolean> {
      try {
        await cols.leases.insertOne({ _id: id, owner, until });
        return true;
      } catch {
        return false;
      }
    },
    /** Without `owner`, whoever holds it: the thing it guarded is settled. */
    async release(id: string, owner?: string): Promise<void> {
      await cols.leases.deleteOne(owner ? { _id: id, owner } : { _id: id });
    },
    /** Leases of crashed runs (and stale outbox claims). */
    async purgeEndedBefore(before: Date): Promise<void> {
      await cols.leases.deleteMany({ until: { $lt: before } });
    },
  };
}
export type LeasesRepo = ReturnType<typeof leasesRepo>;
