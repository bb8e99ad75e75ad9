import { useCallback, useEffect, useMemo, useRef, useState } from 'preact/hooks';
import type { KeyCounts, KeyFilters, KeyRow } from '../../shared/schemas/key';
import { keyFiltersOf, type KeyFilterState } from '../components/KeyFilters';
import type { Problem } from '../lib/errors';
import { applyKeyChange, viewTotal, type KeyChange } from '../lib/key-changes';
import { readPages } from '../lib/pages';
import { useApi, useProblemOf } from './session-context';
import { useReconnected } from './use-connection-problem';

export const PAGE_SIZE = 50;
/** A reload after an action re-reads every row on screen, this many per request (the API's maximum). */
const RELOAD_PAGE = 100;

/**
 * The dashboard's key list: filters in, pages accumulated by "Load more", counts alongside.
 * While a request is out the rows on screen are the old ones, so `busy` says so (the table dims
 * them and sets aria-busy); an action's effect is applied to them at once with `apply`.
 * The rows answer for the filters they were read with: when a change of filters cannot load,
 * `onRevert` gets those filters back, so the controls never claim what the rows are not; and
 * when the server answers again after an outage, what is on screen is read again by itself.
 */
export function useKeyList(teamId: string, filters: KeyFilterState, onRevert?: (shown: KeyFilterState) => void) {
  const api = useApi();
  const problemOf = useProblemOf();
  const [rows, setRows] = useState<KeyRow[]>([]);
  const [counts, setCounts] = useState<KeyCounts | null>(null);
  /** The filters the counts on screen answer for, exactly as sent. */
  const [countedFor, setCountedFor] = useState<KeyFilters | null>(null);
  const [cursor, setCursor] = useState<string | null>(null);
  const [status, setStatus] = useState<'loading' | 'ok' | 'error'>('loading');
  const [problem, setProblem] = useState<Problem | null>(null);
  const run = useRef(0);
  /** The filters the rows on screen were read with (null before the first answer). */
  const shownFor = useRef<KeyFilterState | null>(null);
  const revert = useRef(onRevert);
  revert.current = onRevert;
  /** What is on screen now, for `reload` and `apply` called from an action that awaited. */
  const current = useRef({ rows, counts });
  current.current = { rows, counts };

  const keyFilters = useMemo(() => keyFiltersOf(teamId, filters), [teamId, filters]);
  const query = useCallback(
    (after: string | undefined, limit: number) => api.keys.list.query({ ...keyFilters, sort: filters.sort, cursor: after, limit }),
    [api, keyFilters, filters.sort],
  );

  /**
   * `append`: one more page after that cursor; otherwise the first `want` rows, replacing those on
   * screen (pages of up to RELOAD_PAGE; a short page is the end; a newer load stops the reading).
   */
  const load = useCallback(
    async (mode: { append: string } | { want: number }) => {
      const id = ++run.current;
      setStatus('loading');
      setProblem(null);
      try {
        const { items, cursor: next, last } =
          'append' in mode
            ? await readPages((after) => query(after, PAGE_SIZE), () => true, mode.append)
            : await readPages(
                (after, have) => query(after, Math.min(RELOAD_PAGE, mode.want - have)),
                (items, page) => id !== run.current || page.items.length < RELOAD_PAGE || items.length >= mode.want,
              );
        const latestCounts: KeyCounts = last.counts;
        if (id !== run.current) return;
        setRows((prev) => ('append' in mode ? [...prev, ...items] : items));
        setCounts(latestCounts);
        setCountedFor(keyFilters);
        setCursor(next);
        setStatus('ok');
        shownFor.current = filters;
      } catch (err) {
        if (id !== run.current) return;
        const p = await problemOf(err);
        if (id !== run.current) return;
        setProblem(p);
        setStatus('error');
        const shown = shownFor.current;
        if (shown && shown !== filters) revert.current?.(shown);
      }
    },
    [query, keyFilters, filters, problemOf],
  );

  useEffect(() => {
    if (filters.view.length === 0) {
      // Outdate any page still in flight, or its answer would refill the table emptied here.
      run.current++;
      setRows([]);
      setCountedFor(null);
      setCursor(null);
      setStatus('ok');
      shownFor.current = filters;
      return;
    }
    void load({ want: PAGE_SIZE });
  }, [load]);

  const reload = () => void (filters.view.length > 0 ? load({ want: Math.max(PAGE_SIZE, current.current.rows.length) }) : undefined);
  useReconnected(reload);

  return {
    rows,
    counts,
    /** What the counts (and so `total`) were answered for: "Select all N matching" acts on exactly these. */
    countedFor,
    /** Keys in the view (every page) the counts answer for, from the counts of its ticked statuses. */
    total: filters.view.length === 0 ? 0 : viewTotal(counts, countedFor?.view ?? filters.view),
    status,
    /** A request is out: the rows on screen may not be current. */
    busy: status === 'loading',
    problem,
    hasMore: cursor !== null,
    loadMore: () => void (cursor ? load({ append: cursor }) : undefined),
    /** Re-reads as many rows as are on screen (at least a page), so an action does not lose the admin's place. */
    reload,
    /** Shows an action's effect at once, until the reload that should follow it lands. */
    apply: (change: KeyChange) => {
      const result = applyKeyChange(current.current.rows, current.current.counts, change);
      current.current = result;
      setRows(result.rows);
      setCounts(result.counts);
    },
  };
}
