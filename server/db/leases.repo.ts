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
    /**
     * The lease on `name` for the time window holding `now` (windows of `ms`), or null when another
     * owner has it: the window is in the `_id`, so a crashed holder's lease stops mattering when it passes.
     */
    async takeWindow(name: string, owner: string, now: Date, ms: number): Promise<string | null> {
      const id = `job:${name}:${Math.floor(now.getTime() / ms)}`;
      return (await this.tryTake(id, owner, new Date(now.getTime() + ms))) ? id : null;
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
