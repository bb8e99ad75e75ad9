import type { Ratelimit } from '../../shared/schemas/limits';
import type { Meta } from '../../shared/schemas/policy';
import type { Collections, IdentityDoc } from './collections';
import { insertOnce } from './insert-once';
import { newestFirst } from './keyset';
import type { Position } from '../lib/pagination';

export type StoredIdentity = Pick<IdentityDoc, 'id' | 'externalId' | 'meta' | 'createdAt'> & { ratelimits: Ratelimit[] };

const FIELDS = { _id: 0, id: 1, externalId: 1, meta: 1, createdAt: 1, ratelimits: 1 } as const;
const identityId = (teamId: string, externalId: string) => `${teamId}:${externalId}`;
/** Nulls may come back absent from the embedded engine (server/db/README.md). */
const toIdentity = (d: Pick<IdentityDoc, 'id' | 'externalId' | 'createdAt'> & Partial<Pick<IdentityDoc, 'meta' | 'ratelimits'>>): StoredIdentity => ({
  id: d.id,
  externalId: d.externalId,
  meta: d.meta ?? null,
  createdAt: d.createdAt,
  // Issue 25's shared limits: absent on identities that never had any.
  ratelimits: d.ratelimits ?? [],
});

/** Identities: keys of a team with the same `externalId` share one, made on the first key that names it. */
export function identitiesRepo(cols: Collections) {
  return {
    /** The identity of `externalId`, created (with `id`) by the first caller: one insert-once upsert, whoever races. */
    async ensure(teamId: string, externalId: string, fresh: { id: string; at: Date }): Promise<void> {
      await insertOnce(cols.identities, identityId(teamId, externalId), { id: fresh.id, teamId, externalId, meta: null, createdAt: fresh.at });
    },

    async find(teamId: string, externalId: string): Promise<StoredIdentity | null> {
      const doc = await cols.identities.findOne({ _id: identityId(teamId, externalId) }, { projection: FIELDS });
      return doc ? toIdentity(doc) : null;
    },

    /** Newest first, keyset-paginated on (createdAt, _id). */
    async list(teamId: string, after: Position | null, limit: number): Promise<StoredIdentity[]> {
      const page = newestFirst('createdAt', '_id', after && { at: after.at, id: identityId(teamId, after.id) });
      const docs = await cols.identities.find({ teamId, ...page.filter }, { projection: FIELDS }).sort(page.sort).limit(limit).toArray();
      return docs.map(toIdentity);
    },

    /** Sets an identity's meta; null when it does not exist. */
    async setMeta(teamId: string, externalId: string, meta: Meta): Promise<{ before: StoredIdentity; after: StoredIdentity } | null> {
      const doc = await cols.identities.findOneAndUpdate({ _id: identityId(teamId, externalId) }, { $set: { meta } }, { returnDocument: 'before' });
      if (!doc) return null;
      const before = toIdentity(doc);
      return { before, after: { ...before, meta } };
    },
  };
}
export type IdentitiesRepo = ReturnType<typeof identitiesRepo>;
