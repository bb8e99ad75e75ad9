import type { Filter } from 'mongodb';
import type { Collections, OutboxDoc } from './collections';
import type { Position } from '../lib/pagination';
import { newestFirst } from './keyset';
import { insertOnce } from './insert-once';

export type OutboxRecord = Omit<OutboxDoc, '_id'> & { id: string };
/** A message one worker holds: its lease is this worker's, and `attempts` counts the attempt it is making. */
export type ClaimedMessage = OutboxRecord;
export type NewOutboxMessage = Pick<OutboxRecord, 'id' | 'teamId' | 'userId' | 'to' | 'subject' | 'text' | 'html' | 'createdAt' | 'channel'>;
/** Messages delivered side by side with other lanes': all email, or one webhook endpoint's deliveries. */
export type OutboxLane = { channel: 'email' } | { channel: 'webhook'; endpointId: string };

const toRecord = ({ _id, ...rest }: OutboxDoc): OutboxRecord => ({ id: _id, ...rest });

const inLane = (lane: OutboxLane): Filter<OutboxDoc> =>
  lane.channel === 'email' ? { channel: { $exists: false } } : { channel: 'webhook', to: lane.endpointId };

/**
 * Due and held by nobody: never leased (`null`, also every message written before leases were
 * taken on the message itself), or its lease ran out because its worker died.
 */
const claimable = (now: Date): Filter<OutboxDoc> => ({
  state: 'pending',
  nextAttemptAt: { $lte: now },
  $or: [{ leaseUntil: null }, { leaseUntil: { $lte: now } }],
});

/** The outbox of emails and webhook deliveries. A message is held by one worker at a time (see `claim`). */
export function outboxRepo(cols: Collections) {
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

    /** The lane's claimable messages, soonest due first. */
    async findDueIds(lane: OutboxLane, now: Date, limit: number): Promise<string[]> {
      const docs = await cols.outbox
        .find({ ...inLane(lane), ...claimable(now) }, { projection: { _id: 1 } })
        .sort({ nextAttemptAt: 1 })
        .limit(limit)
        .toArray();
      return docs.map((d) => d._id);
    },

    /** The webhook endpoints with a claimable delivery. */
    async dueEndpointIds(now: Date): Promise<string[]> {
      return cols.outbox.distinct('to', { channel: 'webhook', ...claimable(now) });
    },

    /**
     * Takes the message for `leaseMs` and counts the attempt; null when another worker holds it or
     * it is no longer due. One conditional write decides. The candidates come from `findDueIds` and
     * are claimed by `_id`, the one filter the embedded engine serves from an index, so a claim
     * never scans the whole outbox while writes wait on it.
     */
    async claim(id: string, owner: string, now: Date, leaseMs: number): Promise<ClaimedMessage | null> {
      const doc = await cols.outbox.findOneAndUpdate(
        { _id: id, ...claimable(now) },
        { $set: { leaseUntil: new Date(now.getTime() + leaseMs), leaseOwner: owner }, $inc: { attempts: 1 } },
        { returnDocument: 'after' },
      );
      return doc ? toRecord(doc) : null;
    },

    /** Only the holder of this attempt records its outcome: a worker whose lease ran out and was taken over changes nothing. */
    async markSent(message: ClaimedMessage, owner: string, at: Date): Promise<void> {
      await cols.outbox.updateOne(
        { _id: message.id, leaseOwner: owner, attempts: message.attempts },
        { $set: { state: 'sent', sentAt: at, leaseUntil: null, leaseOwner: null } },
      );
    },

    /** Records a failed attempt: back to pending at `nextAttemptAt`, or failed for good. False when this worker no longer held it. */
    async markAttemptFailed(message: ClaimedMessage, owner: string, change: { state: 'pending' | 'failed'; nextAttemptAt: Date; error: string }): Promise<boolean> {
      const res = await cols.outbox.updateOne(
        { _id: message.id, leaseOwner: owner, attempts: message.attempts },
        { $set: { state: change.state, nextAttemptAt: change.nextAttemptAt, lastError: change.error, leaseUntil: null, leaseOwner: null } },
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
