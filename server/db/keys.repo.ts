import type { Filter } from 'mongodb';
import type { DisabledReason, KeyStatus, RevokedReason } from '../../shared/schemas/key';
import { keyHint } from '../../shared/key-format';
import { newId } from '../lib/ids';
import type { Collections, KeyDoc } from './collections';
import { keyCountFilters, keyListQuery, type KeyListSpec } from './key-list-query';

/** A stored key without its hash: repos hand the hash to nobody but verify. */
export type StoredKey = Omit<KeyDoc, '_id' | 'nameLower'>;

const PUBLIC_FIELDS = {
  _id: 0,
  id: 1,
  teamId: 1,
  ownerId: 1,
  name: 1,
  hint: 1,
  status: 1,
  disabledReason: 1,
  revokedReason: 1,
  revokedAt: 1,
  revokedBy: 1,
  actionId: 1,
  createdAt: 1,
  expiresAt: 1,
  lastUsedAt: 1,
} as const;

/** Keys that still work at `now`: not revoked and not past their expiry. */
export function liveFilter(now: Date): Filter<KeyDoc> {
  return { status: { $ne: 'revoked' }, $or: [{ expiresAt: null }, { expiresAt: { $gt: now } }] };
}

export function keysRepo(cols: Collections) {
  return {
    async insert(hash: string, key: StoredKey): Promise<void> {
      await cols.keys.insertOne({ _id: hash, ...key, nameLower: key.name.toLowerCase() });
    },

    /** The verify hot path: one `_id` look-up, only the fields verification needs. */
    async findForVerify(hash: string) {
      return cols.keys.findOne(
        { _id: hash },
        { projection: { _id: 0, id: 1, teamId: 1, ownerId: 1, status: 1, expiresAt: 1, lastUsedAt: 1 } },
      ) as Promise<Pick<KeyDoc, 'id' | 'teamId' | 'ownerId' | 'status' | 'expiresAt' | 'lastUsedAt'> | null>;
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

    async findByAction(actionId: string): Promise<StoredKey[]> {
      return (await cols.keys.find({ actionId }, { projection: PUBLIC_FIELDS }).toArray()) as StoredKey[];
    },

    /** Newest first, keyset-paginated on (createdAt, id). */
    async listByOwner(teamId: string, ownerId: string, after: { createdAt: Date; id: string } | null, limit: number): Promise<StoredKey[]> {
      const filter: Filter<KeyDoc> = { teamId, ownerId };
      if (after) filter.$or = [{ createdAt: { $lt: after.createdAt } }, { createdAt: after.createdAt, id: { $lt: after.id } }];
      return (await cols.keys
        .find(filter, { projection: PUBLIC_FIELDS })
        .sort({ createdAt: -1, id: -1 })
        .limit(limit)
        .toArray()) as StoredKey[];
    },

    /** One page of the admin list (see key-list-query for the filter and sort). */
    async list(spec: KeyListSpec, now: Date, limit: number): Promise<StoredKey[]> {
      const { filter, sort } = keyListQuery(spec, now);
      return (await cols.keys.find(filter, { projection: PUBLIC_FIELDS }).sort(sort).limit(limit).toArray()) as StoredKey[];
    },

    /** Effective-status counts: three counts, since FerretDB v1 has no $facet. */
    async countByStatus(spec: Omit<KeyListSpec, 'view' | 'after' | 'sort'>, now: Date): Promise<Record<KeyStatus, number>> {
      const filters = keyCountFilters(spec, now);
      const [enabled, disabled, revoked] = await Promise.all([
        cols.keys.countDocuments(filters.enabled),
        cols.keys.countDocuments(filters.disabled),
        cols.keys.countDocuments(filters.revoked),
      ]);
      return { enabled, disabled, revoked };
    },

    /** What an expiry policy looks at: the team's keys that still work at `now`. */
    async listLive(teamId: string, now: Date): Promise<Pick<StoredKey, 'id' | 'ownerId' | 'createdAt' | 'expiresAt'>[]> {
      return cols.keys
        .find({ teamId, ...liveFilter(now) }, { projection: { _id: 0, id: 1, ownerId: 1, createdAt: 1, expiresAt: 1 } })
        .toArray() as Promise<Pick<StoredKey, 'id' | 'ownerId' | 'createdAt' | 'expiresAt'>[]>;
    },

    /**
     * Lowers one live key's expiry to `cap` (revoking it with reason `policy`
     * when `cap` is not after `at`) and stamps it with `actionId`. Matches only
     * while the key still needs the change, so a retry never changes it twice.
     */
    async capExpiry(teamId: string, id: string, cap: Date, change: { at: Date; by: string | null; actionId: string }): Promise<boolean> {
      const floor = cap > change.at ? cap : change.at;
      const expireNow = cap <= change.at;
      const res = await cols.keys.updateOne(
        { teamId, id, status: { $ne: 'revoked' }, $or: [{ expiresAt: null }, { expiresAt: { $gt: floor } }] },
        {
          $set: {
            expiresAt: cap,
            actionId: change.actionId,
            ...(expireNow ? { status: 'revoked' as const, revokedReason: 'policy' as const, revokedAt: change.at, revokedBy: change.by } : {}),
          },
        },
      );
      return res.modifiedCount === 1;
    },

    /**
     * Records use at most once per `minIntervalMs` per key, whatever the number
     * of server instances: the write only matches when the stored value is older.
     */
    async touchLastUsed(hash: string, at: Date, minIntervalMs: number): Promise<boolean> {
      const threshold = new Date(at.getTime() - minIntervalMs);
      const res = await cols.keys.updateOne(
        { _id: hash, $or: [{ lastUsedAt: null }, { lastUsedAt: { $lte: threshold } }] },
        { $set: { lastUsedAt: at } },
      );
      return res.modifiedCount === 1;
    },

    /**
     * Revokes every live key matching `scope` and stamps it with `actionId`.
     * Idempotent: a key already revoked (or expired) is left alone, so a retry
     * of the same action changes nothing it already changed.
     */
    async revokeWhere(
      scope: { teamId: string; ids?: string[]; ownerId?: string; createdBefore?: Date },
      change: { reason: RevokedReason; by: string | null; at: Date; actionId: string },
    ): Promise<number> {
      const filter: Filter<KeyDoc> = { teamId: scope.teamId, ...liveFilter(change.at) };
      if (scope.ids) filter.id = { $in: scope.ids };
      if (scope.ownerId) filter.ownerId = scope.ownerId;
      if (scope.createdBefore) filter.createdAt = { $lte: scope.createdBefore };
      const res = await cols.keys.updateMany(filter, {
        $set: { status: 'revoked', revokedReason: change.reason, revokedAt: change.at, revokedBy: change.by, actionId: change.actionId },
      });
      return res.modifiedCount;
    },

    /** Disables live enabled keys (reversible); stamps them with `actionId`. */
    async disableWhere(
      scope: { teamId: string; ids?: string[]; ownerId?: string },
      change: { reason: DisabledReason; at: Date; actionId: string },
    ): Promise<number> {
      const filter: Filter<KeyDoc> = { teamId: scope.teamId, ...liveFilter(change.at), status: 'enabled' };
      if (scope.ids) filter.id = { $in: scope.ids };
      if (scope.ownerId) filter.ownerId = scope.ownerId;
      const res = await cols.keys.updateMany(filter, { $set: { status: 'disabled', disabledReason: change.reason, actionId: change.actionId } });
      return res.modifiedCount;
    },

    /** Re-enables disabled keys that have not expired; revoked keys never come back. */
    async enableWhere(scope: { teamId: string; ids: string[] }, change: { at: Date; actionId: string }): Promise<number> {
      const filter: Filter<KeyDoc> = { teamId: scope.teamId, ...liveFilter(change.at), status: 'disabled', id: { $in: scope.ids } };
      const res = await cols.keys.updateMany(filter, { $set: { status: 'enabled', disabledReason: null, actionId: change.actionId } });
      return res.modifiedCount;
    },
  };
}
export type KeysRepo = ReturnType<typeof keysRepo>;

/**
 * A new stored key for a plaintext value: the public id, the display hint and
 * the bookkeeping fields. Keys in a non-enabled state (seeds, tests, bench) get
 * a `manual` reason.
 */
export function newStoredKey(
  value: string,
  k: { teamId: string; ownerId: string; name: string; createdAt: Date; expiresAt: Date | null; status?: StoredKey['status']; lastUsedAt?: Date | null; revokedBy?: string | null },
): StoredKey {
  const status = k.status ?? 'enabled';
  return {
    id: newId('key'),
    teamId: k.teamId,
    ownerId: k.ownerId,
    name: k.name,
    hint: keyHint(value),
    status,
    disabledReason: status === 'disabled' ? 'manual' : null,
    revokedReason: status === 'revoked' ? 'manual' : null,
    revokedAt: status === 'revoked' ? k.createdAt : null,
    revokedBy: status === 'revoked' ? (k.revokedBy ?? null) : null,
    actionId: null,
    createdAt: k.createdAt,
    expiresAt: k.expiresAt,
    lastUsedAt: k.lastUsedAt ?? null,
  };
}
