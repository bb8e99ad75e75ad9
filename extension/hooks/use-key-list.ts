import { useCallback, useEffect, useRef, useState } from 'preact/hooks';
import type { KeyCounts, KeyRow } from '../../shared/schemas/key';
import type { KeyFilterState } from '../components/KeyFilters';
import type { Api } from '../lib/api';
import { describeError, type Problem } from '../lib/errors';
import { applyKeyChange, viewTotal, type KeyChange } from '../lib/key-changes';
import { endSession } from '../lib/storage';

export const PAGE_SIZE = 50;
/** A reload after an action re-reads every row on screen, this many per request (the API's maximum). */
const RELOAD_PAGE = 100;

/**
 * The dashboard's key list: filters in, pages accumulated by "Load more", counts alongside.
 * While a request is out the rows on screen are the old ones, so `busy` says so (the table dims
 * them and sets aria-busy); an action's effect is applied to them at once with `apply`.
 */
export function useKeyList(api: Api, teamId: string, filters: KeyFilterState, serverUrl: string) {
  const [rows, setRows] = useState<KeyRow[]>([]);
  const [counts, setCounts] = useState<KeyCounts | null>(null);
  const [cursor, setCursor] = useState<string | null>(null);
  const [status, setStatus] = useState<'loading' | 'ok' | 'error'>('loading');
  const [problem, setProblem] = useState<Problem | null>(null);
  const run = useRef(0);
  /** What is on screen now, for `reload` and `apply` called from an action that awaited. */
  const current = useRef({ rows, counts });
  current.current = { rows, counts };

  const query = useCallback(
    (after: string | null, limit: number) =>
      api.keys.list.query({
        teamId,
        view: filters.view,
        search: filters.search || undefined,
        generatedBy: filters.generatedBy.length > 0 ? filters.generatedBy : undefined,
        sort: filters.sort,
        cursor: after ?? undefined,
        limit,
      }),
    [api, teamId, filters],
  );

  /** `append`: one more page after `after`; otherwise the first `want` rows, replacing those on screen. */
  const load = useCallback(
    async (mode: { append: string } | { want: number }) => {
      const id = ++run.current;
      setStatus('loading');
      setProblem(null);
      try {
        let items: KeyRow[] = [];
        let next: string | null;
        let latestCounts: KeyCounts;
        if ('append' in mode) {
          const page = await query(mode.append, PAGE_SIZE);
          ({ items } = page);
          next = page.nextCursor ?? null;
          latestCounts = page.counts;
        } else {
          let after: string | null = null;
          for (;;) {
            const asked = Math.min(RELOAD_PAGE, mode.want - items.length);
            const page = await query(after, asked);
            if (id !== run.current) return;
            items = [...items, ...page.items];
            after = page.nextCursor ?? null;
            latestCounts = page.counts;
            if (!after || page.items.length < asked || items.length >= mode.want) break;
          }
          next = after;
        }
        if (id !== run.current) return;
        setRows((prev) => ('append' in mode ? [...prev, ...items] : items));
        setCounts(latestCounts!);
        setCursor(next);
        setStatus('ok');
      } catch (err) {
        if (id !== run.current) return;
        const p = describeError(err, serverUrl);
        if (p.kind === 'unauthorized') await endSession('expired');
        setProblem(p);
        setStatus('error');
      }
    },
    [query, serverUrl],
  );

  useEffect(() => {
    if (filters.view.length === 0) {
      // Outdate any page still in flight, or its answer would refill the table emptied here.
      run.current++;
      setRows([]);
      setCursor(null);
      setStatus('ok');
      return;
    }
    void load({ want: PAGE_SIZE });
  }, [load]);

  return {
    rows,
    counts,
    /** Keys in the current view (every page), from the counts of the ticked statuses. */
    total: filters.view.length === 0 ? 0 : viewTotal(counts, filters.view),
    status,
    /** A request is out: the rows on screen may not be current. */
    busy: status === 'loading',
    problem,
    hasMore: cursor !== null,
    loadMore: () => void (cursor ? load({ append: cursor }) : undefined),
    /** Re-reads as many rows as are on screen (at least a page), so an action does not lose the admin's place. */
    reload: () => void (filters.view.length > 0 ? load({ want: Math.max(PAGE_SIZE, current.current.rows.length) }) : undefined),
    /** Shows an action's effect at once, until the reload that should follow it lands. */
    apply: (change: KeyChange) => {
      const result = applyKeyChange(current.current.rows, current.current.counts, change);
      current.current = result;
      setRows(result.rows);
      setCounts(result.counts);
    },
  };
}
