import type { Filter } from 'mongodb';
import { parseKey } from '../shared/key-format';
import { KeyStatusSchema, type ListKeysQuery } from '../shared/schemas/key';
import type { KeyDoc } from '../server/db/collections';
import { effectiveStatusFilter } from '../server/db/effective-status';
import { keyListQuery, keyScopeFilter, type KeyListSpec } from '../server/db/key-list-query';
import type { StoredKey } from '../server/db/keys.repo';
import type { BenchDeps as Deps } from './bench-deps';
import { z } from 'zod';
import { cursorCodec } from '../server/lib/pagination';
import { hashKey } from '../server/lib/ids';
import type { Services } from '../server/services';

/**
 * `keys.list` as it was before counts were cached (issue 12), kept for the
 * bench's side-by-side figures: the page and one `countDocuments` per status,
 * all four at once, on every call. Run against a FerretDB started with
 * `-pushdown=`, it is the whole "before".
 */
export async function legacyList(deps: Deps, services: Services, query: ListKeysQuery) {
  const cursor = cursorCodec(z.object({ c: z.number(), u: z.number().nullable(), i: z.string() })).decode(query.cursor);
  const after = cursor ? { createdAt: new Date(cursor.c), lastUsedAt: cursor.u === null ? null : new Date(cursor.u), id: cursor.i } : null;
  const parsed = query.search ? parseKey(query.search) : null;
  const search = parsed?.ok ? { hash: hashKey(deps.pepper, parsed.key) } : query.search ? { text: query.search } : undefined;
  const spec: KeyListSpec = { teamId: query.teamId, view: query.view, ownerIds: query.generatedBy, search, sort: query.sort, after };
  const now = deps.now();
  // The old count filters: the scope's own filter with the status condition added to its `$and`.
  const scope = keyScopeFilter(spec);
  const countFilter = (status: (typeof KeyStatusSchema.options)[number]): Filter<KeyDoc> => ({ ...scope, $and: [...(scope.$and ?? []), effectiveStatusFilter(status, now)] });
  // The old page read: one query (the calls the bench times this way have no cursor, so the filter is the old one).
  const { filter, sort } = keyListQuery(spec, now);
  const [page, enabled, disabled, revoked] = await Promise.all([
    deps.storage.cols.keys.find(filter).sort(sort).limit(query.limit + 1).toArray() as Promise<StoredKey[]>,
    ...KeyStatusSchema.options.map((s) => deps.storage.cols.keys.countDocuments(countFilter(s))),
  ]);
  const items = await services.keys.rows(query.teamId, page.slice(0, query.limit));
  return { items, counts: { enabled, disabled, revoked } };
}
