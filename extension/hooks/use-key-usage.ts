import { useMemo } from 'preact/hooks';
import type { KeyRow } from '../../shared/schemas/key';
import type { KeyUsage } from '../../shared/schemas/usage';
import type { Api } from '../lib/api';

/** Rows' 7-day usage read at once, at most; the rest wait, so the table's own requests are never crowded out. */
const IN_FLIGHT = 2;
/** Answers kept per page; the oldest goes first. */
const KEEP = 500;

export type RowUsageLoader = (row: Pick<KeyRow, 'id' | 'usage' | 'triedAfterRevoke'>) => Promise<KeyUsage>;

/**
 * keys.usage (7 days, by day) for rows as they scroll into view: two requests at a time, each
 * answer cached under the row's own counts, so a reload that brings new counts reads again and
 * one that does not costs nothing.
 */
export function useRowUsageLoader(api: Api, teamId: string): RowUsageLoader {
  return useMemo(() => rowUsageLoader((keyId) => api.keys.usage.query({ teamId, keyId, range: '7d' }), IN_FLIGHT), [api, teamId]);
}

export function rowUsageLoader(fetch: (keyId: string) => Promise<KeyUsage>, inFlight: number): RowUsageLoader {
  const cache = new Map<string, Promise<KeyUsage>>();
  const queue: (() => void)[] = [];
  let running = 0;
  const next = () => {
    while (running < inFlight && queue.length) queue.shift()!();
  };
  const limited = (keyId: string) =>
    new Promise<KeyUsage>((resolve, reject) => {
      queue.push(() => {
        running++;
        fetch(keyId)
          .then(resolve, reject)
          .finally(() => {
            running--;
            next();
          });
      });
      next();
    });
  return (row) => {
    const id = `${row.id}:${row.usage.last24h}:${row.usage.last7d}:${row.triedAfterRevoke}`;
    let hit = cache.get(id);
    if (!hit) {
      hit = limited(row.id);
      // A failed read is not kept: the next time the row shows, it is asked again.
      hit.catch(() => cache.delete(id));
      cache.set(id, hit);
      if (cache.size > KEEP) cache.delete(cache.keys().next().value!);
    }
    return hit;
  };
}
