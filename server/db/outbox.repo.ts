import type { Filter } from 'mongodb';
import type { Collections, OutboxDoc } from './collections';
import { leasesRepo } from './leases.repo';
import type { Position } from '../lib/pagination';
import { newestFirst } from './keyset';
import { insertOnce } from './insert-once';

export type OutboxRecord = Omit<OutboxDoc, '_id'> & { id: string };
/** A message one worker holds; `claimId` is this repo's business (the claim document), handed back to `release`. */
export type ClaimedMessage = OutboxRecord & { readonly claimId: string };
export type NewOutboxMessage = Pick<OutboxRecord, 'id' | 'teamId' | 'userId' | 'to' | 'subject' | 'text' | 'html' | 'createdAt' | 'channel'>;

const toRecord = ({ _id, ...rest }: OutboxDoc): OutboxRecord => ({ id: _id, ...rest });

/** A message nobody holds: never leased, or its lease ran out (its worker died). */
const unleased = (now: Date): Filter<OutboxDoc> => ({ $or: [{ leaseUntil: null }, { leaseUntil: { $lte: now } }] });

/**
 * The email outbox. Only one worker on any instance holds a message at a time
 * (see `claim`).
 */
export function outboxRepo(cols: Collections) {
  const leases = leasesRepo(cols);
  return {
    /** Idempotent on the message id: returns whether this call created it. */
    async enqueue(m: NewOutboxMessage): Promise<boolean> {
      const { id, ...rest } = m;
      const fresh = { ...rest, state: 'pending' as const, attempts: 0, nextAttemptAt: m.createdAt, leaseUntil: null, leaseOwner: null, lastError: null, sentAt: null };
      return insertOnce(cols.outbox, id, fresh);
    },

    /** When the soonest pending message of `channel` is due; null when none waits. */
    async nextDueAt(channel: NonNullable<OutboxDoc['channel']>): Promise<Date | null> {
      const [doc] = await cols.outbox.find({ state: 'pending', channel }, { projection: { nextAttemptAt: 1 } }).sort({ nextAttemptAt: 1 }).limit(1).toArray();
      return doc?.nextAttemptAt ?? null;
    },

    async findDueIds(now: Date, limit: number): Promise<string[]> {
      const docs = await cols.outbox
        .find({ state: 'pending', nextAttemptAt: { $lte: now }, ...unleased(now) }, { projection: { _id: 1 } })
        .sort({ nextAttemptAt: 1 })
        .limit(limit)
        .toArray();
      return docs.map((d) => d._id);
    },

    /**
     * Takes the message for `leaseMs`; null when another worker got it first or
     * it is no longer due. FerretDB runs a conditional update as read-then-write
     * (two workers can both "match"), so the claim itself is an insert of a
     * claim document whose `_id` names the message's exact state — attempt
     * number and current lease — and the unique `_id` lets only one worker in.
     */
    async claim(id: string, owner: string, now: Date, leaseMs: number): Promise<ClaimedMessage | null> {
      const seen = await cols.outbox.findOne({ _id: id, state: 'pending', nextAttemptAt: { $lte: now }, ...unleased(now) });
      if (!seen) return null;
      const claimId = `outbox:${id}:${seen.attempts}:${seen.leaseUntil?.getTime() ?? 0}`;
      const leaseUntil = new Date(now.getTime() + leaseMs);
      if (!(await leases.tryTake(claimId, owner, leaseUntil))) return null;
      await cols.outbox.updateOne({ _id: id, state: 'pending', attempts: seen.attempts }, { $set: { leaseUntil, leaseOwner: owner } });
      // The claim document of a finished attempt is removed, so `seen` may be stale: check the message is still that attempt.
      const doc = await cols.outbox.findOne({ _id: id });
      if (!doc || doc.state !== 'pending' || doc.attempts !== seen.attempts || doc.leaseOwner !== owner) {
        await leases.release(claimId, owner);
        return null;
      }
      return { ...toRecord(doc), claimId };
    },

    /** Lets go of a claimed message once its attempt is recorded (the message's new state now guards it). */
    async release(message: ClaimedMessage): Promise<void> {
      await leases.release(message.claimId);
    },

    async markSent(id: string, owner: string, at: Date): Promise<void> {
      await cols.outbox.updateOne(
        { _id: id, leaseOwner: owner },
        { $set: { state: 'sent', sentAt: at, leaseUntil: null, leaseOwner: null }, $inc: { attempts: 1 } },
      );
    },

    /** Records a failed attempt: back to pending at `nextAttemptAt`, or failed for good. */
    async markAttemptFailed(id: string, owner: string, change: { state: 'pending' | 'failed'; attempts: number; nextAttemptAt: Date; error: string }): Promise<boolean> {
      const res = await cols.outbox.updateOne(
        { _id: id, leaseOwner: owner },
        {
          $set: {
            state: change.state,
            attempts: change.attempts,
            nextAttemptAt: change.nextAttemptAt,
            lastError: change.error,
            leaseUntil: null,
            leaseOwner: null,
          },
        },
      );
      return res.modifiedCount === 1;
    },

    /** Newest first, keyset-paginated on (createdAt, _id). */
    async listForTeam(teamId: string, opts: { state?: OutboxDoc['state']; after: Position | null; limit: number }): Promise<OutboxRecord[]> {
      const filter: Filter<OutboxDoc> = { teamId };
      if (opts.state) filter.state = opts.state;
      // Emails only: webhook deliveries are listed per endpoint (webhooks.deliveries).
      filter.channel = { $exists: false };
      const page = newestFirst('createdAt', '_id', opts.after);
      const docs = await cols.outbox.find({ ...filter, ...page.filter }).sort(page.sort).limit(opts.limit).toArray();
      return docs.map(toRecord);
    },
  };
}
export type OutboxRepo = ReturnType<typeof outboxRepo>;
