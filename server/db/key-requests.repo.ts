import type { Collections, KeyRequestDoc } from './collections';
import { insertOnce } from './insert-once';

export type KeyRequestRecord = Omit<KeyRequestDoc, '_id'> & { id: string };

const toRecord = ({ _id, ...rest }: KeyRequestDoc): KeyRequestRecord => ({ id: _id, ...rest });

/**
 * Key requests. Deciding a request and using its grant are each won by one
 * insert of a fixed `_id` (`decide:<id>`, `use:<id>`): FerretDB v1 has no
 * atomic conditional update, so two admins answering at once, or two tabs
 * redeeming one grant, cannot both succeed.
 */
export function keyRequestsRepo(cols: Collections) {
  const claim = (id: string, at: Date, by: string | null) => insertOnce(cols.requestClaims, id, { at, by });

  return {
    async insert(request: KeyRequestRecord): Promise<void> {
      const { id, ...rest } = request;
      await cols.keyRequests.insertOne({ _id: id, ...rest });
    },

    async find(teamId: string, id: string): Promise<KeyRequestRecord | null> {
      const doc = await cols.keyRequests.findOne({ _id: id });
      return doc && doc.teamId === teamId ? toRecord(doc) : null;
    },

    /** Newest first. */
    async list(teamId: string, filter: { state?: KeyRequestDoc['state']; userId?: string }, limit: number): Promise<KeyRequestRecord[]> {
      const docs = await cols.keyRequests
        .find({ teamId, ...(filter.state ? { state: filter.state } : {}), ...(filter.userId ? { userId: filter.userId } : {}) })
        .sort({ createdAt: -1 })
        .limit(limit)
        .toArray();
      return docs.map(toRecord);
    },

    async countPending(teamIds: string[]): Promise<number> {
      if (teamIds.length === 0) return 0;
      return cols.keyRequests.countDocuments({ teamId: { $in: teamIds }, state: 'pending' });
    },

    /** The one decision: false when the request was already approved or denied. */
    claimDecision: (id: string, at: Date, by: string | null) => claim(`decide:${id}`, at, by),
    /** Who won the decision of a request (null when nobody has). */
    async decidedBy(id: string): Promise<string | null> {
      const doc = await cols.requestClaims.findOne({ _id: `decide:${id}` }, { projection: { by: 1 } });
      return doc?.by ?? null;
    },
    /** The one use of an approval's grant. */
    claimUse: (id: string, at: Date, by: string | null) => claim(`use:${id}`, at, by),

    async setDecision(id: string, decision: Pick<KeyRequestDoc, 'state' | 'decidedAt' | 'decidedBy' | 'note' | 'grantExpiresAt' | 'expiresInDays'>): Promise<void> {
      await cols.keyRequests.updateOne({ _id: id }, { $set: decision });
    },

    async setKey(id: string, keyId: string): Promise<void> {
      await cols.keyRequests.updateOne({ _id: id }, { $set: { keyId } });
    },
  };
}
export type KeyRequestsRepo = ReturnType<typeof keyRequestsRepo>;
