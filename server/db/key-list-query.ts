import type { Filter, Sort } from 'mongodb';
import type { KeySort, KeyStatus } from '../../shared/schemas/key';
import type { KeyDoc } from './collections';

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

export interface KeyListSpec {
  teamId: string;
  /** Omitted (or all three) means no status filter. */
  view?: KeyStatus[];
  ownerIds?: string[];
  /** `hash`: a full key value, matched through its storage id; `text`: name or hint. */
  search?: { hash: string } | { text: string };
  sort: KeySort;
  /** The last row of the previous page (keyset pagination, never skip). */
  after?: KeyListPosition | null;
}

const notExpired = (now: Date): Filter<KeyDoc>[] => [{ expiresAt: null }, { expiresAt: { $gt: now } }];

export function effectiveStatusFilter(status: KeyStatus, now: Date): Filter<KeyDoc> {
  if (status === 'revoked') return { $or: [{ status: 'revoked' }, { expiresAt: { $lte: now } }] };
  return { status, $or: notExpired(now) };
}

export const KEY_SORTS: Record<KeySort, Record<string, 1 | -1>> = {
  newest: { createdAt: -1, id: -1 },
  oldest: { createdAt: 1, id: 1 },
  recently_used: { lastUsedAt: -1, id: -1 },
};

const escapeRegex = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/**
 * Rows strictly after `p` in `sort` order. Never-used keys (lastUsedAt null)
 * sort last under `recently_used`; a range operator never matches null, so
 * the null tail is named explicitly.
 */
function afterFilter(sort: KeySort, p: KeyListPosition): Filter<KeyDoc> {
  if (sort === 'newest') return { $or: [{ createdAt: { $lt: p.createdAt } }, { createdAt: p.createdAt, id: { $lt: p.id } }] };
  if (sort === 'oldest') return { $or: [{ createdAt: { $gt: p.createdAt } }, { createdAt: p.createdAt, id: { $gt: p.id } }] };
  if (p.lastUsedAt === null) return { lastUsedAt: null, id: { $lt: p.id } };
  return { $or: [{ lastUsedAt: { $lt: p.lastUsedAt } }, { lastUsedAt: p.lastUsedAt, id: { $lt: p.id } }, { lastUsedAt: null }] };
}

/** The filter every list and count shares: team, owners, search (no view, no cursor). */
function scopeFilter(spec: KeyListSpec): { filter: Filter<KeyDoc>; and: Filter<KeyDoc>[] } {
  const filter: Filter<KeyDoc> = { teamId: spec.teamId };
  const and: Filter<KeyDoc>[] = [];
  if (spec.ownerIds && spec.ownerIds.length > 0) filter.ownerId = { $in: spec.ownerIds };
  if (spec.search && 'hash' in spec.search) filter._id = spec.search.hash;
  if (spec.search && 'text' in spec.search) {
    const pattern = escapeRegex(spec.search.text.toLowerCase());
    and.push({ $or: [{ nameLower: { $regex: pattern } }, { hint: { $regex: pattern, $options: 'i' } }] });
  }
  return { filter, and };
}

const withAnd = (filter: Filter<KeyDoc>, and: Filter<KeyDoc>[]): Filter<KeyDoc> => (and.length > 0 ? { ...filter, $and: and } : filter);

export function keyListQuery(spec: KeyListSpec, now: Date): { filter: Filter<KeyDoc>; sort: Sort } {
  const { filter, and } = scopeFilter(spec);
  const view = [...new Set(spec.view ?? [])];
  if (view.length > 0 && view.length < 3) {
    and.push(view.length === 1 ? effectiveStatusFilter(view[0]!, now) : { $or: view.map((s) => effectiveStatusFilter(s, now)) });
  }
  if (spec.after) and.push(afterFilter(spec.sort, spec.after));
  return { filter: withAnd(filter, and), sort: KEY_SORTS[spec.sort] };
}

/** What counts are taken over: the team, narrowed by owners and search, never by view, cursor or sort. */
export type KeyCountScope = Pick<KeyListSpec, 'teamId' | 'ownerIds' | 'search'>;

/**
 * The keys a count covers, as one filter: counting reads their stored status
 * and expiry once and derives the effective statuses from them (instead of one
 * filter per status, each a full read on FerretDB).
 */
export function keyScopeFilter(scope: KeyCountScope): Filter<KeyDoc> {
  const { filter, and } = scopeFilter({ ...scope, sort: 'newest' });
  return withAnd(filter, and);
}
