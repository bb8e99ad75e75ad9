import type { Filter } from 'mongodb';
import type { DisabledReason, RevokedReason } from '../../shared/schemas/key';
import type { Collections, KeyDoc } from './collections';
import { liveFilter } from './effective-status';
import { keyListReads, PUBLIC_FIELDS, type StoredKey } from './key-lists';
import { keyPolicyOf, POLICY_FIELDS, type KeyPolicy } from './key-policy-fields';
import { inSlices } from './write-slices';

export type { StoredKey };

export type Revocation = { reason: RevokedReason; by: string | null; at: Date; actionId: string };

const revokedFields = (r: Revocation) => ({ status: 'revoked' as const, revokedReason: r.reason, revokedAt: r.at, revokedBy: r.by, actionId: r.actionId });

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

    /** The verify hot path: one `_id` look-up, the key with its rotation (if it is the previous key of one). */
    async findForVerify(hash: string) {
      const doc = await cols.keys.findOne(
        { _id: hash },
        { projection: { _id: 0, id: 1, teamId: 1, ownerId: 1, status: 1, expiresAt: 1, lastUsedAt: 1, canary: 1, rotation: 1, ratelimits: 1, credits: 1, ...POLICY_FIELDS } },
      );
      if (!doc) return null;
      const { rotation, permissions, roles, restrictions, meta, externalId, ...key } = doc;
      return {
        ...(key as Pick<KeyDoc, 'id' | 'teamId' | 'ownerId' | 'status' | 'expiresAt' | 'lastUsedAt' | 'canary' | 'ratelimits' | 'credits'>),
        rotation: rotation ? { replacedBy: rotation.replacedBy, graceEndsAt: rotation.graceEndsAt } : null,
        policy: keyPolicyOf({ permissions, roles, restrictions, meta, externalId }),
      };
    },

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
    async revokeWhere(scope: { teamId: string; ids?: string[]; ownerId?: string; createdBefore?: Date }, change: Revocation): Promise<void> {
      const filter: Filter<KeyDoc> = { teamId: scope.teamId, ...liveFilter(change.at) };
      if (scope.ids) filter.id = { $in: scope.ids };
      if (scope.ownerId) filter.ownerId = scope.ownerId;
      if (scope.createdBefore) filter.createdAt = { $lte: scope.createdBefore };
      await cols.keys.updateMany(filter, { $set: revokedFields(change) });
    },

    /** Disables live enabled keys (reversible); stamps them with `actionId`. A revoked key stays revoked. */
    async disableWhere(
      scope: { teamId: string; ids?: string[]; ownerId?: string },
      change: { reason: DisabledReason; at: Date; actionId: string },
    ): Promise<void> {
      const filter: Filter<KeyDoc> = { teamId: scope.teamId, ...liveFilter(change.at), status: 'enabled' };
      if (scope.ids) filter.id = { $in: scope.ids };
      if (scope.ownerId) filter.ownerId = scope.ownerId;
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
