import type { Filter } from 'mongodb';
import type { DisabledReason } from '../../shared/schemas/key';
import type { Collections, KeyDoc } from './collections';
import { liveFilter } from './effective-status';
import { keyListReads, PUBLIC_FIELDS, type StoredKey } from './key-lists';
import { inBatches, revocationRecords, revokedFields, type Revocation } from './revocations';

export type { StoredKey };

/** Revocation stays final on FerretDB through revocation records: see revocations.ts. */
export function keysRepo(cols: Collections) {
  const { claimRevocations, revocationsOf, reassertRevocations, writeThenReassert } = revocationRecords(cols);

  return {
    ...keyListReads(cols),
    async insert(hash: string, key: StoredKey): Promise<void> {
      await cols.keys.insertOne({ _id: hash, ...key, nameLower: key.name.toLowerCase() });
    },

    /**
     * The verify hot path: the key and its revocation record, two `_id` look-ups
     * run together. The record is the authority: a racing write may have left
     * the key's own document looking alive for a moment (see claimRevocations).
     */
    async findForVerify(hash: string) {
      const [doc, revocation] = await Promise.all([
        cols.keys.findOne({ _id: hash }, { projection: { _id: 0, id: 1, teamId: 1, ownerId: 1, status: 1, expiresAt: 1, lastUsedAt: 1, canary: 1 } }),
        cols.revocations.findOne({ _id: hash }, { projection: { _id: 1 } }),
      ]);
      if (!doc) return null;
      return { ...doc, status: revocation ? 'revoked' : doc.status } as Pick<KeyDoc, 'id' | 'teamId' | 'ownerId' | 'status' | 'expiresAt' | 'lastUsedAt' | 'canary'>;
    },

    async findByHash(teamId: string, hash: string): Promise<StoredKey | null> {
      const doc = await cols.keys.findOne({ _id: hash }, { projection: PUBLIC_FIELDS });
      return doc && doc.teamId === teamId ? (doc as StoredKey) : null;
    },

    async findByHashAnyTeam(hash: string): Promise<StoredKey | null> {
      return (await cols.keys.findOne({ _id: hash }, { projection: PUBLIC_FIELDS })) as StoredKey | null;
    },

    async findByPublicId(teamId: string, id: string): Promise<StoredKey | null> {
      return (await cols.keys.findOne({ id, teamId }, { projection: PUBLIC_FIELDS })) as StoredKey | null;
    },

    async findManyByPublicIds(teamId: string, ids: string[]): Promise<StoredKey[]> {
      return (await cols.keys.find({ teamId, id: { $in: ids } }, { projection: PUBLIC_FIELDS }).toArray()) as StoredKey[];
    },

    /**
     * The keys an action changed: those stamped with its id, plus those whose
     * revocation record is its own (a racing write may hide the stamp for a
     * moment). A key revoked by another action is never counted here, even if
     * this action touched it first.
     */
    async findByAction(actionId: string): Promise<StoredKey[]> {
      const [stamped, revoked] = await Promise.all([
        cols.keys.find({ actionId }, { projection: { ...PUBLIC_FIELDS, _id: 1 } }).toArray(),
        cols.revocations.find({ actionId }).toArray(),
      ]);
      const byHash = new Map(stamped.map((d) => [d._id, d]));
      const missing = revoked.filter((r) => !byHash.has(r._id)).map((r) => r._id);
      if (missing.length > 0) {
        for (const d of await cols.keys.find({ _id: { $in: missing } }, { projection: { ...PUBLIC_FIELDS, _id: 1 } }).toArray()) byHash.set(d._id, d);
      }
      const own = new Map(revoked.map((r) => [r._id, r]));
      const others = await revocationsOf([...byHash.keys()].filter((h) => !own.has(h)));
      const result: StoredKey[] = [];
      for (const [hash, { _id, ...doc }] of byHash) {
        const mine = own.get(hash);
        if (mine) result.push({ ...(doc as StoredKey), ...revokedFields(mine) });
        else if (!others.has(hash)) result.push(doc as StoredKey);
      }
      return result;
    },

    /** What an expiry policy looks at: the team's keys that still work at `now`. Canaries are left out: no policy ever expires one. */
    async listLive(teamId: string, now: Date): Promise<Pick<StoredKey, 'id' | 'ownerId' | 'createdAt' | 'expiresAt'>[]> {
      return cols.keys
        .find({ teamId, ...liveFilter(now), canary: { $ne: true } }, { projection: { _id: 0, id: 1, ownerId: 1, createdAt: 1, expiresAt: 1 } })
        .toArray() as Promise<Pick<StoredKey, 'id' | 'ownerId' | 'createdAt' | 'expiresAt'>[]>;
    },

    /**
     * Lowers one live key's expiry to `cap` and stamps it with `actionId`; when
     * `cap` is not after `at` the key is revoked instead (reason `policy`),
     * through its revocation record like any revocation. Matches only while the
     * key still needs the change, so a retry never changes it twice.
     */
    async capExpiry(teamId: string, id: string, cap: Date, change: { at: Date; by: string | null; actionId: string }): Promise<boolean> {
      const floor = cap > change.at ? cap : change.at;
      const filter: Filter<KeyDoc> = { teamId, id, status: { $ne: 'revoked' }, $or: [{ expiresAt: null }, { expiresAt: { $gt: floor } }] };
      const doc = await cols.keys.findOne(filter, { projection: { _id: 1, id: 1 } });
      if (!doc) return false;
      if (cap <= change.at) {
        const owned = await claimRevocations(teamId, [doc], { reason: 'policy', by: change.by, at: change.at, actionId: change.actionId });
        if (owned.length === 0) return false;
        await cols.keys.updateOne({ _id: doc._id }, { $set: { expiresAt: cap, ...revokedFields({ reason: 'policy', by: change.by, at: change.at, actionId: change.actionId }) } });
        return true;
      }
      const res = await cols.keys.updateOne({ ...filter, _id: doc._id }, { $set: { expiresAt: cap, actionId: change.actionId } });
      await reassertRevocations([doc._id]);
      return res.modifiedCount === 1;
    },

    /**
     * Records a use. The caller (verify) writes at most once a minute per key,
     * and skips keys whose stored value is already that recent; the filter is
     * the bare `_id`, the one filter FerretDB serves from an index, and `$max`
     * keeps a late write from moving the time backwards.
     */
    async touchLastUsed(hash: string, at: Date): Promise<boolean> {
      const res = await cols.keys.updateOne({ _id: hash }, { $max: { lastUsedAt: at } });
      if (res.modifiedCount === 1) await reassertRevocations([hash]);
      return res.modifiedCount === 1;
    },

    /**
     * Revokes every live key matching `scope` and stamps it with `actionId`.
     * Each key's revocation record is inserted first; a key whose record
     * another action won is left to that action, so racing revocations change
     * each key once and the first one's when, who and why are kept. Idempotent:
     * a retry of the same action finds its own records and finishes the writes.
     */
    async revokeWhere(
      scope: { teamId: string; ids?: string[]; ownerId?: string; createdBefore?: Date },
      change: Revocation,
    ): Promise<{ heldBy: string[] }> {
      const filter: Filter<KeyDoc> = { teamId: scope.teamId, ...liveFilter(change.at) };
      if (scope.ids) filter.id = { $in: scope.ids };
      if (scope.ownerId) filter.ownerId = scope.ownerId;
      if (scope.createdBefore) filter.createdAt = { $lte: scope.createdBefore };
      const candidates = await cols.keys.find(filter, { projection: { _id: 1, id: 1 } }).toArray();
      const owned = await claimRevocations(scope.teamId, candidates, change);
      if (owned.length === candidates.length) {
        // No other action holds any of them: one write over the same filter touches exactly these keys.
        if (owned.length > 0) await cols.keys.updateMany(filter, { $set: revokedFields(change) });
        return { heldBy: [] };
      }
      await inBatches(owned, (hash) => cols.keys.updateOne({ _id: hash }, { $set: revokedFields(change) }));
      // The rest belong to another revocation, racing or cut short by an outage: its record is written to them now.
      const mine = new Set(owned);
      const others = candidates.map((c) => c._id).filter((h) => !mine.has(h));
      await reassertRevocations(others);
      const records = await revocationsOf(others);
      return { heldBy: [...new Set([...records.values()].map((r) => r.actionId))] };
    },

    /** Disables live enabled keys (reversible); stamps them with `actionId`. A revoked key stays revoked. */
    async disableWhere(
      scope: { teamId: string; ids?: string[]; ownerId?: string },
      change: { reason: DisabledReason; at: Date; actionId: string },
    ): Promise<void> {
      const filter: Filter<KeyDoc> = { teamId: scope.teamId, ...liveFilter(change.at), status: 'enabled' };
      if (scope.ids) filter.id = { $in: scope.ids };
      if (scope.ownerId) filter.ownerId = scope.ownerId;
      await writeThenReassert(filter, { status: 'disabled', disabledReason: change.reason, disabledAt: change.at, actionId: change.actionId });
    },

    /** Re-enables disabled keys that have not expired; revoked keys never come back. */
    async enableWhere(scope: { teamId: string; ids: string[] }, change: { at: Date; actionId: string }): Promise<void> {
      const filter: Filter<KeyDoc> = { teamId: scope.teamId, ...liveFilter(change.at), status: 'disabled', id: { $in: scope.ids } };
      // `enabledAt` restarts the key's idle clock (idle policy).
      await writeThenReassert(filter, { status: 'enabled', disabledReason: null, enabledAt: change.at, actionId: change.actionId });
    },
  };
}
export type KeysRepo = ReturnType<typeof keysRepo>;
