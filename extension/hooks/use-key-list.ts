import { useCallback, useEffect, useRef, useState } from 'preact/hooks';
import type { KeyCounts, KeyRow } from '../../shared/schemas/key';
import type { KeyFilterState } from '../components/KeyFilters';
import type { Api } from '../lib/api';
import { describeError, type Problem } from '../lib/errors';
import { endSession } from '../lib/storage';

const PAGE_SIZE = 25;

/** The dashboard's key list: filters in, pages accumulated by "Load more", counts alongside. */
export function useKeyList(api: Api, teamId: string, filters: KeyFilterState, serverUrl: string) {
  const [rows, setRows] = useState<KeyRow[]>([]);
  const [counts, setCounts] = useState<KeyCounts | null>(null);
  const [cursor, setCursor] = useState<string | null>(null);
  const [status, setStatus] = useState<'loading' | 'ok' | 'error'>('loading');
  const [problem, setProblem] = useState<Problem | null>(null);
  const run = useRef(0);

  const fetchPage = useCallback(
    async (after: string | null) => {
      const id = ++run.current;
      setStatus('loading');
      setProblem(null);
      try {
        const page = await api.keys.list.query({
          teamId,
          view: filters.view,
          search: filters.search || undefined,
          generatedBy: filters.generatedBy.length > 0 ? filters.generatedBy : undefined,
          sort: filters.sort,
          cursor: after ?? undefined,
          limit: PAGE_SIZE,
        });
        if (id !== run.current) return;
        setRows((prev) => (after ? [...prev, ...page.items] : page.items));
        setCounts(page.counts);
        setCursor(page.nextCursor ?? null);
        setStatus('ok');
      } catch (err) {
        if (id !== run.current) return;
        const p = describeError(err, serverUrl);
        if (p.kind === 'unauthorized') await endSession('expired');
        setProblem(p);
        setStatus('error');
      }
    },
    [api, teamId, filters, serverUrl],
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
    void fetchPage(null);
  }, [fetchPage]);

  return {
    rows,
    counts,
    status,
    problem,
    hasMore: cursor !== null,
    loadMore: () => void fetchPage(cursor),
    reload: () => void fetchPage(null),
  };
}
