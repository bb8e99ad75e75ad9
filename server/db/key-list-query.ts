import type { Filter, Sort } from 'mongodb';
import type { KeySort, KeyStatus } from '../../shared/schemas/key';
import type { KeyDoc } from './collections';
import { effectiveStatusFilter } from './effective-status';

/**
 * The admin key list as a pure filter + sort, so the index-coverage test can
 * check exactly what the repo sends. Statuses are *effective*: a key past its
 * expiry counts as revoked, whatever its stored status.
 */
export interface KeyListPosition {
  createdAt: Date;
  lastUsedAt: Date | null;
  id: string;
}

/**
 * What the list's filters (shared KeyFilters, turned into this by the keys-admin service) select
 * before `view`: the keys that the counts cover and that the list pages through.
 */
export interface KeyScope {
  teamId: string;
  ownerIds?: string[];
  /** `hash`: a full key value, matched through its storage id; `text`: name or hint. */
  search?: { hash: string } | { text: string };
  /** Only keys idle since this instant (shared/idle.ts). */
  idleBefore?: Date;
  /** Only keys holding this team role. */
  role?: string;
  /** Only keys of this identity. */
  externalId?: string;
}

export interface KeyListSpec extends KeyScope {
  /** Omitted (or all three) means no status filter. */
  view?: KeyStatus[];
  sort: KeySort;
  /** The last row of the previous page (keyset pagination, never skip). */
  after?: KeyListPosition | null;
}

export { effectiveStatusFilter } from './effective-status';

export const KEY_SORTS: Record<KeySort, Record<string, 1 | -1>> = {
  newest: { createdAt: -1, id: -1 },
  oldest: { createdAt: 1, id: 1 },
  recently_used: { lastUsedAt: -1, id: -1 },
};

/** A key's fields that list sorts read, as a query returns them. */
export type KeySortFields = Partial<Pick<KeyDoc, 'createdAt' | 'lastUsedAt' | 'id'>>;

/**
 * Orders keys as MongoDB orders them under `KEY_SORTS[sort]`, for merging
 * rows read in parts: null (or missing) before strings before dates, as in
 * BSON's type order; ids are ASCII, so code-unit order is byte order.
 */
export function keyOrder(sort: KeySort): (a: KeySortFields, b: KeySortFields) => number {
  const fields = Object.entries(KEY_SORTS[sort]) as [keyof KeySortFields, 1 | -1][];
  const rank = (v: unknown) => (v === null || v === undefined ? 0 : typeof v === 'string' ? 1 : 2);
  const compare = (x: unknown, y: unknown) => {
    if (rank(x) !== rank(y)) return rank(x) - rank(y);
    if (x instanceof Date && y instanceof Date) return Math.sign(x.getTime() - y.getTime());
    if (typeof x === 'string' && typeof y === 'string') return x < y ? -1 : x > y ? 1 : 0;
    return 0;
  };
  return (a, b) => {
    for (const [field, direction] of fields) {
      const c = compare(a[field], b[field]);
      if (c !== 0) return c * direction;
    }
    return 0;
  };
}

/**
 * Two disjoint ranges of `_id` that together hold every key: key hashes are
 * hex, so each holds about half. FerretDB decodes a query's documents on one
 * core, so a read of many keys goes out as one query per half, side by side
 * (the pushdown patch has SQLite pre-select each half). On MongoDB each half is
 * served by the same index as the whole, with `_id` checked on the way.
 */
export const ID_HALVES = [{ $lt: '8' }, { $gte: '8' }] as const;

/** `filter` as one filter per half of the keys, or as itself when it already names `_id`. */
export function inHalves(filter: Filter<KeyDoc>): Filter<KeyDoc>[] {
  return '_id' in filter ? [filter] : ID_HALVES.map((_id) => ({ ...filter, _id }) as Filter<KeyDoc>);
}

const escapeRegex = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/**
 * Rows from `p` on in `sort` order, `p`'s own sort value included: one range
 * on the sort's first field, which FerretDB checks on every key of the team far
 * faster than the exact `$or` (value before, or same value and id before). The
 * rows at `p`'s value that are not after it are dropped by `isAfter` once read.
 * Never-used keys (lastUsedAt null) sort last under `recently_used`: `$not $gt`
 * keeps them, where a range operator alone never matches null.
 */
function fromPosition(sort: KeySort, p: KeyListPosition): Filter<KeyDoc> {
  if (sort === 'newest') return { createdAt: { $lte: p.createdAt } };
  if (sort === 'oldest') return { createdAt: { $gte: p.createdAt } };
  if (p.lastUsedAt === null) return { lastUsedAt: null, id: { $lt: p.id } };
  return { lastUsedAt: { $not: { $gt: p.lastUsedAt } } };
}

/** Whether a row comes strictly after `p` in `sort` order (what keyset pagination shows next). */
export function isAfter(sort: KeySort, p: KeyListPosition): (row: KeySortFields) => boolean {
  const order = keyOrder(sort);
  return (row) => order(row, p) > 0;
}

/**
 * "Idle since `before`" (shared/idle.ts `isIdle`) as a query: last used (or, never used, created)
 * by then, and not enabled again since. A missing `enabledAt` matches `null`.
 */
export function idleFilter(before: Date): Filter<KeyDoc>[] {
  return [
    { $or: [{ lastUsedAt: { $lte: before } }, { lastUsedAt: null, createdAt: { $lte: before } }] },
    { $or: [{ enabledAt: null }, { enabledAt: { $lte: before } }] },
  ];
}

/** The filter every list and count shares: the scope (no view, no cursor). */
function scopeFilter(spec: KeyScope): { filter: Filter<KeyDoc>; and: Filter<KeyDoc>[] } {
  const filter: Filter<KeyDoc> = { teamId: spec.teamId };
  const and: Filter<KeyDoc>[] = [];
  if (spec.ownerIds && spec.ownerIds.length > 0) filter.ownerId = { $in: spec.ownerIds };
  if (spec.search && 'hash' in spec.search) filter._id = spec.search.hash;
  if (spec.search && 'text' in spec.search) {
    const pattern = escapeRegex(spec.search.text.toLowerCase());
    and.push({ $or: [{ nameLower: { $regex: pattern } }, { hint: { $regex: pattern, $options: 'i' } }] });
  }
  if (spec.idleBefore) and.push(...idleFilter(spec.idleBefore));
  if (spec.role) filter.roles = spec.role;
  if (spec.externalId) filter.externalId = spec.externalId;
  return { filter, and };
}

const withAnd = (filter: Filter<KeyDoc>, and: Filter<KeyDoc>[]): Filter<KeyDoc> => (and.length > 0 ? { ...filter, $and: and } : filter);

/**
 * A page's query. With a cursor the filter also holds rows at the cursor's
 * own sort value (see fromPosition): whoever reads it keeps only the rows
 * `isAfter(sort, after)` says come next, reading a few extra to make up for them.
 */
export function keyListQuery(spec: KeyListSpec, now: Date): { filter: Filter<KeyDoc>; sort: Sort } {
  const { filter, and } = scopeFilter(spec);
  const view = [...new Set(spec.view ?? [])];
  if (view.length > 0 && view.length < 3) {
    and.push(view.length === 1 ? effectiveStatusFilter(view[0]!, now) : { $or: view.map((s) => effectiveStatusFilter(s, now)) });
  }
  // A range goes at the top level, beside the team (the scope never names the sort fields): FerretDB checks it fastest there.
  const position = spec.after ? fromPosition(spec.sort, spec.after) : {};
  if ('id' in position) and.push(position);
  return { filter: withAnd('id' in position ? filter : { ...filter, ...position }, and), sort: KEY_SORTS[spec.sort] };
}

/** What counts are taken over: the scope, never narrowed by view, cursor or sort. */
export type KeyCountScope = KeyScope;

/**
 * The keys a count covers, as one filter: counting reads their stored status
 * and expiry once and derives the effective statuses from them (instead of one
 * filter per status, each a full read on FerretDB).
 */
export function keyScopeFilter(scope: KeyCountScope): Filter<KeyDoc> {
  const { filter, and } = scopeFilter(scope);
  return withAnd(filter, and);
}
