import type { Filter } from 'mongodb';
import type { DisabledReason, RevokedReason } from '../../shared/schemas/key';
import type { Collections, KeyDoc } from './collections';
import { liveFilter, NOT_REVOKED } from './effective-status';
import { keyListReads, PUBLIC_FIELDS, type StoredKey } from './key-lists';
import { keyPolicyOf, POLICY_FIELDS, type KeyPolicy } from './key-policy-fields';
import { inHalves } from './key-list-query';
import { inSlices } from './write-slices';

export type { StoredKey };

export type Revocation = { reason: RevokedReason; by: string | null; at: Date; actionId: string };

const revokedFields = (r: Revocation) => ({ status: 'revoked' as const, revokedReason: r.reason, revokedAt: r.at, revokedBy: r.by, actionId: r.actionId });

/** The keys a revocation may reach: the team's, by public ids, owner or creation time. */
export type RevocationScope = { teamId: string; ids?: string[]; ownerId?: string; createdBefore?: Date };

/** Not revoked as `$in` (NOT_REVOKED): the embedded engine then reads only live keys from its `status` index (PUSHDOWN.md). */
function revocableFilter(scope: RevocationScope, at: Date): Filter<KeyDoc> {
  const filter: Filter<KeyDoc> = { teamId: scope.teamId, ...liveFilter(at), status: NOT_REVOKED };
  if (scope.ids) filter.id = { $in: scope.ids };
  if (scope.ownerId) filter.ownerId = scope.ownerId;
  if (scope.createdBefore) filter.createdAt = { $lte: scope.createdBefore };
  return filter;
}

/**
 * Every status change is one conditional write whose filter says which keys it may change:
 * a revoke matches only keys not revoked yet, an enable or disable only keys in the state it
 * leaves, so nothing brings a revoked key back and racing revocations change each key once
 * (each write is atomic per document, on MongoDB and on the patched embedded engine).
 */
export function keysRepo(cols: Collections) {
  return {
    ...keyListReads(cols),
    async insert(hash: string, key: StoredKey): Promise<void> {
      await cols.keys.insertOne({ _id: hash, ...key, nameLower: key.name.toLowerCase() });
    },

    /**
     * The verify hot path: the key by `_id`, with its rotation (if it is the previous key of one).
     * Look-ups that arrive while others are in flight go out together as one `$in` read (verifyReads).
     */
    findForVerify: verifyReads(cols),

    /**
     * Changes a key's policy in one conditional write: only a key of the team that still works
     * (not revoked, not expired), and when `ownerId` is given only that owner's. Returns the key as
     * it was before (null: no such key, or it may not change).
     */
    async updatePolicy(scope: { teamId: string; id: string; ownerId?: string; now: Date }, set: Partial<KeyPolicy>): Promise<StoredKey | null> {
      const filter: Filter<KeyDoc> = { teamId: scope.teamId, id: scope.id, ...liveFilter(scope.now), ...(scope.ownerId ? { ownerId: scope.ownerId } : {}) };
      // No projection: FerretDB v1's findAndModify does not take one. The hash never leaves here.
      const doc = await cols.keys.findOneAndUpdate(filter, { $set: set }, { returnDocument: 'before' });
      if (!doc) return null;
      const { _id, nameLower: _nameLower, ...key } = doc;
      return key;
    },

    /** The team's keys of one identity (identities.get), newest first. */
    async findByExternalId(teamId: string, externalId: string, limit: number): Promise<StoredKey[]> {
      return (await cols.keys.find({ teamId, externalId }, { projection: PUBLIC_FIELDS }).sort({ createdAt: -1, id: -1 }).limit(limit).toArray()) as StoredKey[];
    },

    /** Ids of the team's keys that hold a role (a change of the role changes what they may do: the change feed lists them). */
    /** The ids of the team's keys of one identity: its meta and rate limits are part of their verify answers (the feed says so). */
    async idsWithExternalId(teamId: string, externalId: string): Promise<string[]> {
      return (await cols.keys.find({ teamId, externalId }, { projection: { id: 1 } }).toArray()).map((d) => d.id);
    },

    async idsWithRole(teamId: string, name: string): Promise<string[]> {
      return (await cols.keys.find({ teamId, roles: name }, { projection: { id: 1 } }).toArray()).map((d) => d.id);
    },

    /** A deleted role leaves every key of the team that held it. */
    async removeRole(teamId: string, name: string): Promise<void> {
      await cols.keys.updateMany({ teamId, roles: name }, { $pull: { roles: name } });
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

    /** The keys an action changed: those stamped with its id (a key's last change names its action). */
    async findByAction(actionId: string): Promise<StoredKey[]> {
      return (await cols.keys.find({ actionId }, { projection: PUBLIC_FIELDS }).toArray()) as StoredKey[];
    },

    /** What an expiry policy looks at: the team's keys that still work at `now`. Canaries are left out: no policy ever expires one. */
    async listLive(teamId: string, now: Date): Promise<Pick<StoredKey, 'id' | 'ownerId' | 'createdAt' | 'expiresAt'>[]> {
      return cols.keys
        .find({ teamId, ...liveFilter(now), canary: { $ne: true } }, { projection: { _id: 0, id: 1, ownerId: 1, createdAt: 1, expiresAt: 1 } })
        .toArray() as Promise<Pick<StoredKey, 'id' | 'ownerId' | 'createdAt' | 'expiresAt'>[]>;
    },

    /**
     * Lowers one live key's expiry to `cap` and stamps it with `actionId`; when
     * `cap` is not after `at` the key is revoked instead (reason `policy`).
     * Matches only while the key still needs the change, so a retry never
     * changes it twice and a key revoked meanwhile keeps its first revocation.
     */
    async capExpiry(teamId: string, id: string, cap: Date, change: { at: Date; by: string | null; actionId: string }): Promise<boolean> {
      const floor = cap > change.at ? cap : change.at;
      const filter: Filter<KeyDoc> = { teamId, id, status: { $ne: 'revoked' }, $or: [{ expiresAt: null }, { expiresAt: { $gt: floor } }] };
      const set = cap <= change.at ? { expiresAt: cap, ...revokedFields({ reason: 'policy', by: change.by, at: change.at, actionId: change.actionId }) } : { expiresAt: cap, actionId: change.actionId };
      const res = await cols.keys.updateOne(filter, { $set: set });
      return res.modifiedCount === 1;
    },

    /**
     * Records a use. The caller (verify) writes at most once a minute per key,
     * and skips keys whose stored value is already that recent; `$max` keeps a
     * late write from moving the time backwards.
     */
    async touchLastUsed(hash: string, at: Date): Promise<boolean> {
      const res = await cols.keys.updateOne({ _id: hash }, { $max: { lastUsedAt: at } });
      return res.modifiedCount === 1;
    },

    /** Many keys' last uses, each with its own time, in commands of a few dozen statements. */
    async touchLastUsedMany(uses: { hash: string; at: Date }[]): Promise<void> {
      await inSlices(cols.keys, uses.map(({ hash, at }) => ({ updateOne: { filter: { _id: hash }, update: { $max: { lastUsedAt: at } } } })));
    },

    /**
     * Revokes every live key matching `scope` and stamps it with `actionId`. A key
     * already revoked (by a racing action, or one an outage left pending) is not
     * matched, so it keeps its first revocation's when, who and why. A retry of
     * the same action changes nothing twice.
     */
    async revokeWhere(scope: RevocationScope, change: Revocation): Promise<number> {
      const res = await cols.keys.updateMany(revocableFilter(scope, change.at), { $set: revokedFields(change) });
      return res.modifiedCount;
    },

    /**
     * The live keys `scope` covers at `at`, as they are before a revocation: what a large one writes in
     * batches (by public id) and reports. A team's keys are read as two `_id` halves side by side (both cores decode).
     */
    async listRevocable(scope: RevocationScope, at: Date): Promise<StoredKey[]> {
      // Named keys are read 1,000 ids a query, the most the engine reads from its `id` index (PUSHDOWN.md).
      const filters = scope.ids
        ? Array.from({ length: Math.ceil(scope.ids.length / 1000) }, (_, i) => revocableFilter({ ...scope, ids: scope.ids!.slice(i * 1000, (i + 1) * 1000) }, at))
        : inHalves(revocableFilter(scope, at));
      const parts = await Promise.all(filters.map((f) => cols.keys.find(f, { projection: PUBLIC_FIELDS }).toArray()));
      return parts.flat() as StoredKey[];
    },

    /** Disables live enabled keys (reversible); stamps them with `actionId`. A revoked key stays revoked. */
    async disableWhere(scope: RevocationScope, change: { reason: DisabledReason; at: Date; actionId: string }): Promise<void> {
      // A revocation's scope, enabled keys only: keys made after the action began are not its own (a resumed owner removal).
      const filter: Filter<KeyDoc> = { ...revocableFilter(scope, change.at), status: 'enabled' };
      await cols.keys.updateMany(filter, { $set: { status: 'disabled', disabledReason: change.reason, disabledAt: change.at, actionId: change.actionId } });
    },

    /** Re-enables disabled keys that have not expired; revoked keys never come back. */
    async enableWhere(scope: { teamId: string; ids: string[] }, change: { at: Date; actionId: string }): Promise<void> {
      const filter: Filter<KeyDoc> = { teamId: scope.teamId, ...liveFilter(change.at), status: 'disabled', id: { $in: scope.ids } };
      // `enabledAt` restarts the key's idle clock (idle policy).
      await cols.keys.updateMany(filter, { $set: { status: 'enabled', disabledReason: null, enabledAt: change.at, actionId: change.actionId } });
    },
  };
}
export type KeysRepo = ReturnType<typeof keysRepo>;

const VERIFY_FIELDS = { _id: 1, id: 1, teamId: 1, ownerId: 1, status: 1, expiresAt: 1, lastUsedAt: 1, canary: 1, rotation: 1, ratelimits: 1, credits: 1, ...POLICY_FIELDS } as const;
/** Verify reads in flight at once; the look-ups that come meanwhile wait for one to end, and go in the next. */
const VERIFY_READS_IN_FLIGHT = 2;
/** Hashes in one read (well under the pushdown's `$in` bound of 1,000). */
const VERIFY_BATCH = 200;

type VerifyDoc = Pick<KeyDoc, '_id' | 'id' | 'teamId' | 'ownerId' | 'status' | 'expiresAt' | 'lastUsedAt' | 'canary' | 'rotation' | 'ratelimits' | 'credits' | keyof typeof POLICY_FIELDS>;

/**
 * `findForVerify`: a cache miss costs the database a command, and on the embedded engine the command's
 * fixed cost (parsing, planning, encoding the reply) is most of it. Under load many misses are waiting at
 * once, so they share commands: at most VERIFY_READS_IN_FLIGHT reads run, and the look-ups that arrive
 * meanwhile go together in the next one, `{_id: {$in: [...]}}` (an index read either way). A look-up
 * that finds nothing in flight goes out at once, alone: no wait is added when the server is quiet.
 */
function verifyReads(cols: Collections) {
  type Waiter = { resolve: (doc: VerifyDoc | null) => void; reject: (err: unknown) => void };
  const waiting = new Map<string, Waiter[]>();
  let inFlight = 0;

  function pump() {
    while (inFlight < VERIFY_READS_IN_FLIGHT && waiting.size > 0) {
      const batch = [...waiting.keys()].slice(0, VERIFY_BATCH).map((hash) => {
        const waiters = waiting.get(hash)!;
        waiting.delete(hash);
        return [hash, waiters] as const;
      });
      const hashes = batch.map(([hash]) => hash);
      inFlight++;
      cols.keys
        .find(hashes.length === 1 ? { _id: hashes[0]! } : { _id: { $in: hashes } }, { projection: VERIFY_FIELDS })
        .toArray()
        .then(
          (docs) => {
            const byHash = new Map(docs.map((d) => [d._id, d as VerifyDoc]));
            for (const [hash, waiters] of batch) for (const w of waiters) w.resolve(byHash.get(hash) ?? null);
          },
          (err: unknown) => {
            for (const [, waiters] of batch) for (const w of waiters) w.reject(err);
          },
        )
        .finally(() => {
          inFlight--;
          pump();
        });
    }
  }

  return async function findForVerify(hash: string) {
    const doc = await new Promise<VerifyDoc | null>((resolve, reject) => {
      const waiters = waiting.get(hash);
      if (waiters) waiters.push({ resolve, reject });
      else waiting.set(hash, [{ resolve, reject }]);
      pump();
    });
    if (!doc) return null;
    const { _id, rotation, permissions, roles, restrictions, meta, externalId, ...key } = doc;
    return {
      ...key,
      rotation: rotation ? { replacedBy: rotation.replacedBy, graceEndsAt: rotation.graceEndsAt } : null,
      policy: keyPolicyOf({ permissions, roles, restrictions, meta, externalId }),
    };
  };
}
