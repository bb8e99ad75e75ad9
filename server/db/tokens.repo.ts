import type { Collections, TokenDoc } from './collections';

type TokenRevokedReason = NonNullable<TokenDoc['revokedReason']>;

export type StoredToken = Omit<TokenDoc, '_id'>;

const PUBLIC = { _id: 0 } as const;

/** Team API tokens, stored under the HMAC of their value (never the value). */
export function tokensRepo(cols: Collections) {
  return {
    async insert(hash: string, token: StoredToken): Promise<void> {
      await cols.tokens.insertOne({ _id: hash, ...token });
    },
    /** Authentication: an `_id` look-up by the value's HMAC, any team (the token says which). */
    findByHash: (hash: string): Promise<StoredToken | null> => cols.tokens.findOne({ _id: hash }, { projection: PUBLIC }),
    findInTeam: (teamId: string, id: string): Promise<StoredToken | null> => cols.tokens.findOne({ teamId, id }, { projection: PUBLIC }),
    /** The team's tokens not revoked, newest first. */
    listLive: (teamId: string): Promise<StoredToken[]> => cols.tokens.find({ teamId, revokedAt: null }, { projection: PUBLIC }).sort({ createdAt: -1, id: -1 }).toArray(),
    /** One winner: true when this call revoked it, false when it already was (or is not in the team). */
    async revoke(teamId: string, id: string, at: Date, reason: TokenRevokedReason): Promise<boolean> {
      const res = await cols.tokens.updateOne({ teamId, id, revokedAt: null }, { $set: { revokedAt: at, revokedReason: reason } });
      return res.modifiedCount === 1;
    },
    /** Revokes the token with this value's HMAC, whichever team holds it: the token when this call revoked it, else null. */
    async revokeByHash(hash: string, at: Date, reason: 'manual' | 'leaked'): Promise<StoredToken | null> {
      const token = await cols.tokens.findOne({ _id: hash, revokedAt: null }, { projection: PUBLIC });
      if (!token) return null;
      // The conditional write decides: of two reports at once, one revokes (and audits).
      const res = await cols.tokens.updateOne({ _id: hash, revokedAt: null }, { $set: { revokedAt: at, revokedReason: reason, ...(reason === 'leaked' ? { leakPending: true } : {}) } });
      return res.modifiedCount === 1 ? { ...token, revokedAt: at, revokedReason: reason } : null;
    },
    /** A leaked token's alerts are all sent (its `leakPending` cleared). */
    async leakHandled(hash: string): Promise<void> {
      await cols.tokens.updateOne({ _id: hash, leakPending: true }, { $set: { leakPending: false } });
    },
    /** The live tokens one member created in the team (revoked when they leave it or stop being an admin). */
    liveCreatedBy: (teamId: string, userId: string): Promise<StoredToken[]> => cols.tokens.find({ teamId, createdBy: userId, revokedAt: null }, { projection: PUBLIC }).toArray(),
    /** Coalesced: a token used many times a minute is written once, and never moved backwards. */
    async touch(id: string, at: Date, olderThan: Date): Promise<void> {
      await cols.tokens.updateOne({ id, $or: [{ lastUsedAt: null }, { lastUsedAt: { $lt: olderThan } }] }, { $set: { lastUsedAt: at } });
    },
  };
}
export type TokensRepo = ReturnType<typeof tokensRepo>;
