import type { Collections, KeyRequestDoc } from './collections';

export type KeyRequestRecord = Omit<KeyRequestDoc, '_id'> & { id: string };

const toRecord = ({ _id, ...rest }: KeyRequestDoc): KeyRequestRecord => ({ id: _id, ...rest });

/**
 * Key requests. Deciding a request and using its grant are each one
 * conditional update of the request (`state: 'pending'`, `keyId: null` in the
 * filter): two admins answering at once, or two tabs redeeming one grant,
 * cannot both succeed.
 */
export function keyRequestsRepo(cols: Collections) {
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

    /** The one decision: the decided request, or null when it was no longer pending. */
    async decide(teamId: string, id: string, decision: Pick<KeyRequestDoc, 'state' | 'decidedAt' | 'decidedBy' | 'note' | 'grantExpiresAt' | 'expiresInDays'>): Promise<KeyRequestRecord | null> {
      const doc = await cols.keyRequests.findOneAndUpdate({ _id: id, teamId, state: 'pending' }, { $set: decision }, { returnDocument: 'after' });
      return doc ? toRecord(doc) : null;
    },

    /** The one use of an approval's grant, by its requester while it is valid: false when it was used (or lapsed) meanwhile. */
    async useGrant(id: string, userId: string, keyId: string, at: Date): Promise<boolean> {
      const res = await cols.keyRequests.updateOne({ _id: id, userId, state: 'approved', keyId: null, grantExpiresAt: { $gt: at } }, { $set: { keyId } });
      return res.modifiedCount === 1;
    },
  };
}
export type KeyRequestsRepo = ReturnType<typeof keyRequestsRepo>;
