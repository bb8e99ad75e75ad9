import { useEffect, useState } from 'preact/hooks';
import { readPages, type Page } from '../lib/pages';
import { useAction, useAsync } from './use-async';

/**
 * A cursor-paged list on screen: the first page when `deps` change, one more page per `loadMore`,
 * nothing capped. `reload` starts again from the first page (after an action changed the list).
 * `more` is the state of the latest "load more" (its busy flag and its problem, shown apart from
 * the first page's).
 */
export function usePages<T>(fetch: (cursor: string | undefined) => Promise<Page<T>>, deps: unknown[]) {
  const first = useAsync(() => fetch(undefined), deps);
  const [later, setLater] = useState<{ items: T[]; cursor: string | null } | null>(null);
  const more = useAction();
  // New inputs, new list: pages loaded for the old ones go.
  useEffect(() => setLater(null), deps);

  const cursor = later ? later.cursor : (first.data?.nextCursor ?? null);
  const loadMore = async () => {
    if (!cursor) return;
    const page = await more.act(() => readPages(fetch, () => true, cursor));
    if (page) setLater({ items: [...(later?.items ?? []), ...page.items], cursor: page.cursor });
  };
  const reload = async () => {
    setLater(null);
    await first.reload();
  };
  return {
    status: first.status,
    problem: first.problem,
    /** The first page, once it has come (the list may be empty). */
    data: first.data,
    items: [...(first.data?.items ?? []), ...(later?.items ?? [])],
    hasMore: cursor !== null,
    loadMore,
    reload,
    more,
  };
}
