import type { Position } from '../lib/pagination';

/**
 * The one keyset query of every newest-first list: rows strictly after `after` in
 * (time desc, id desc) order, and that sort. Never `skip`: a page costs the same wherever it is.
 * The admin key list has its own builder (key-list-query.ts): it sorts several ways.
 */
export function newestFirst(timeField: string, idField: '_id' | 'id', after: Position | null) {
  return {
    filter: after ? { $or: [{ [timeField]: { $lt: after.at } }, { [timeField]: after.at, [idField]: { $lt: after.id } }] } : {},
    sort: { [timeField]: -1, [idField]: -1 } as Record<string, -1>,
  };
}
