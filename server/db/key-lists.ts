import type { Collections, KeyDoc } from './collections';
import { inHalves, isAfter, KEY_SORTS, keyListQuery, keyOrder, keyScopeFilter, type KeyCountScope, type KeyListSpec } from './key-list-query';
import type { Position } from '../lib/pagination';
import { newestFirst } from './keyset';

/** A stored key without its hash: repos hand the hash to nobody but verify. */
export type StoredKey = Omit<KeyDoc, '_id' | 'nameLower'>;

/**
 * The `comment` of the reads verify's poller makes every second (new key hashes, the keys revision), so
 * what watches the database's commands can tell this background work from a request's own reads.
 */
export const BACKGROUND_COMMENT = 'keywarden: background poll';

export const PUBLIC_FIELDS = {
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
  disabledAt: 1,
  canary: 1,
  enabledAt: 1,
  rotation: 1,
  replaces: 1,
  permissions: 1,
  roles: 1,
  restrictions: 1,
  meta: 1,
  externalId: 1,
  ratelimits: 1,
  credits: 1,
} as const;

/**
 * A bound no team reaches, for reads of a whole scope asked in a list's order: on the embedded engine a
 * sorted, limited read walks the list's index, which holds `_id`, names and hints, so an `_id` half and a
 * text search are tested on index entries and only matching keys are read (tools/ferretdb/ORDER.md);
 * without it SQLite reads every key of the team from its table. On MongoDB the same index serves it.
 */
const WHOLE_SCOPE = 1_000_000_000;

/** Rows a page after a cursor reads beyond its size, for those sharing the cursor's sort value (see list). */
const CURSOR_TIES = 20;


/** The keys repo's list reads (split from keys.repo.ts, which spreads them into its methods). */
export function keyListReads(cols: Collections) {
  return {
    /** Newest first, keyset-paginated on (createdAt, id). */
    async listByOwner(teamId: string, ownerId: string, after: Position | null, limit: number): Promise<StoredKey[]> {
      const page = newestFirst('createdAt', 'id', after);
      return (await cols.keys
        // A canary is left out of its creator's own list (the popup's "My keys"): it is the team's trap, listed with the team's keys for admins.
        .find({ teamId, ownerId, canary: { $ne: true }, ...page.filter }, { projection: PUBLIC_FIELDS })
        .sort(page.sort)
        .limit(limit)
        .toArray()) as StoredKey[];
    },

    /**
     * One page of the admin list (see key-list-query for the filter and sort),
     * read in halves side by side. After a cursor, the query also returns rows
     * at the cursor's own sort value; those not after it are dropped here, and
     * the few extra rows read for them are read again, more, in the rare case
     * that was not enough.
     */
    async list(spec: KeyListSpec, now: Date, limit: number): Promise<StoredKey[]> {
      const { filter, sort } = keyListQuery(spec, now);
      const order = keyOrder(spec.sort);
      const next = spec.after ? isAfter(spec.sort, spec.after) : () => true;
      for (let extra = spec.after ? CURSOR_TIES : 0; ; extra *= 4) {
        const read = limit + extra;
        const halves = await Promise.all(inHalves(filter).map((f) => cols.keys.find(f, { projection: PUBLIC_FIELDS }).sort(sort).limit(read).toArray()));
        const rows = (halves.flat() as StoredKey[]).sort(order).slice(0, read).filter(next);
        if (rows.length >= limit || halves.every((h) => h.length < read)) return rows.slice(0, limit);
      }
    },

    /**
     * The first page of `spec` with every status shown, and the stored status
     * and expiry of every key in its scope: one read of the scope (a few fields
     * a key, in halves side by side), then the page's keys by `_id`. What the
     * dashboard needs when its counts are not known: on FerretDB one pass over
     * the team's documents instead of two.
     */
    async firstPageWithStatuses(
      spec: Omit<KeyListSpec, 'view' | 'after'>,
      now: Date,
      limit: number,
    ): Promise<{ page: StoredKey[]; statuses: Pick<StoredKey, 'status' | 'expiresAt'>[] }> {
      const { filter } = keyListQuery({ ...spec, view: undefined, after: null }, now);
      // Every row is read anyway: they are put in order here, which spares FerretDB holding them all to sort.
      const projection = { _id: 1, status: 1, expiresAt: 1, createdAt: 1, lastUsedAt: 1, id: 1 };
      const text = spec.search !== undefined && 'text' in spec.search;
      // A text search is read through the list's index, where names and hints are tested (see WHOLE_SCOPE).
      const read = (f: typeof filter) => (text ? cols.keys.find(f, { projection }).sort(KEY_SORTS[spec.sort]).limit(WHOLE_SCOPE) : cols.keys.find(f, { projection }));
      const halves = await Promise.all(inHalves(filter).map((f) => read(f).toArray()));
      const rows = halves.flat().sort(keyOrder(spec.sort));
      const hashes = rows.slice(0, limit).map((r) => r._id);
      const docs = hashes.length === 0 ? [] : await cols.keys.find({ _id: { $in: hashes } }, { projection: { ...PUBLIC_FIELDS, _id: 1 } }).toArray();
      const byHash = new Map(docs.map(({ _id, ...doc }) => [_id, doc as StoredKey]));
      return {
        page: hashes.flatMap((h) => byHash.get(h) ?? []),
        statuses: rows.map((r) => ({ status: r.status, expiresAt: r.expiresAt })),
      };
    },

    /**
     * The hashes of the keys created since `since` (every key's when null): verify's membership set (services/key-membership).
     * A background poll: tagged with BACKGROUND_COMMENT.
     */
    async hashesCreatedSince(since: Date | null): Promise<string[]> {
      const docs = await cols.keys.find(since ? { createdAt: { $gte: since } } : {}, { projection: { _id: 1 }, comment: BACKGROUND_COMMENT }).toArray();
      return docs.map((d) => d._id);
    },

    /**
     * The stored status and expiry of every key in `scope`, which is all that
     * effective-status counts need, in one read: on FerretDB one pass over the
     * team's documents (three countDocuments were three), on MongoDB a covered
     * scan of `team_status_expiry` when the scope is the whole team.
     */

    async listStatuses(scope: KeyCountScope): Promise<Pick<StoredKey, 'status' | 'expiresAt'>[]> {
      const read = cols.keys.find(keyScopeFilter(scope), { projection: { _id: 0, status: 1, expiresAt: 1 } });
      // A text search's counts: read through the list's index, where names and hints are tested (see WHOLE_SCOPE).
      if (scope.search && 'text' in scope.search) read.sort(KEY_SORTS.newest).limit(WHOLE_SCOPE);
      return read.toArray() as Promise<Pick<StoredKey, 'status' | 'expiresAt'>[]>;
    }
  };
}
