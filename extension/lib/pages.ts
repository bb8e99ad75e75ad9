/** One page of a cursor-paged list, as every list procedure of the API returns it. */
export interface Page<T> {
  items: T[];
  nextCursor?: string | null;
}

/**
 * Reads pages one after the other from `cursor` until `enough` says so or the list ends; the
 * extension's one way to walk a paged list. `fetch` gets the cursor and how many items are
 * already read (to size the next request). The answer's `cursor` is where to go on (null at the
 * end), and `last` is the last page read, for what a list returns beside its items (counts).
 */
export async function readPages<P extends Page<unknown>>(
  fetch: (cursor: string | undefined, have: number) => Promise<P>,
  enough: (items: P['items'], last: P) => boolean,
  cursor?: string,
): Promise<{ items: P['items']; cursor: string | null; last: P }> {
  const items: P['items'][number][] = [];
  let after = cursor;
  for (;;) {
    const last = await fetch(after, items.length);
    items.push(...last.items);
    after = last.nextCursor ?? undefined;
    if (!after || enough(items, last)) return { items, cursor: after ?? null, last };
  }
}
