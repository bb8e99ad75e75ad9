import { useEffect, useLayoutEffect, useRef, useState } from 'preact/hooks';

/**
 * "Server unreachable" is one fact about the page, not one per section. Any
 * request that cannot reach the server marks the page offline (since when);
 * while it is, the page watches the server's /health (backing off to half a
 * minute), and once the server answers it clears the mark and reloads what is
 * on screen: every loader that subscribed with `useReconnected`, and every
 * "Try again" of the boxes that showed the problem. Nobody needs to click.
 *
 * Each box that hits the problem takes a slot; the first slot's box speaks for
 * all, unless the page shows a ConnectionBanner, which then speaks alone.
 */
interface Slot {
  id: number;
  retry(): void;
  hasRetry(): boolean;
}

let slots: Slot[] = [];
let nextId = 0;
let banners = 0;
let offline: { since: Date; serverUrl: string } | null = null;
let watcher: ReturnType<typeof setTimeout> | null = null;
/** One look at /health while offline; a no-op while the server answers. */
let check = async (): Promise<void> => {};
const listeners = new Set<() => void>();
const reconnectListeners = new Set<() => void>();
const changed = () => listeners.forEach((l) => l());

export function retryAllConnectionProblems(): void {
  for (const slot of [...slots]) slot.retry();
}

const WATCH_FIRST_MS = 3_000;
const WATCH_MAX_MS = 30_000;

async function answersHealthy(serverUrl: string): Promise<boolean> {
  try {
    const res = await fetch(`${serverUrl}/health`, { cache: 'no-store' });
    return res.ok && ((await res.json()) as { ok?: unknown }).ok === true;
  } catch {
    return false;
  }
}

/** A request could not reach `serverUrl`: the page is offline from now (or since the first such failure). */
export function noteConnectionProblem(serverUrl: string): void {
  if (offline) return;
  offline = { since: new Date(), serverUrl };
  changed();
  let delay = WATCH_FIRST_MS;
  check = async () => {
    const current = offline;
    if (!current) return;
    if (await answersHealthy(current.serverUrl)) {
      if (offline !== current) return;
      offline = null;
      if (watcher) clearTimeout(watcher);
      watcher = null;
      changed();
      reconnectListeners.forEach((l) => l());
      retryAllConnectionProblems();
      return;
    }
    delay = Math.min(delay * 2, WATCH_MAX_MS);
    if (watcher) clearTimeout(watcher);
    watcher = setTimeout(() => void check(), delay);
  };
  watcher = setTimeout(() => void check(), delay);
}

/** "Try again": asks the server now instead of at the watcher's next turn. */
export function checkConnectionNow(): void {
  void check();
}

/** Tests only: forget the page's state between tests. */
export function resetConnectionState(): void {
  if (watcher) clearTimeout(watcher);
  watcher = null;
  offline = null;
  check = async () => {};
  slots = [];
  changed();
}

function useStoreVersion() {
  const [, rerender] = useState(0);
  useLayoutEffect(() => {
    const listener = () => rerender((n) => n + 1);
    listeners.add(listener);
    return () => void listeners.delete(listener);
  }, []);
}

/** Since when the page cannot reach its server, or null while it can. */
export function useOffline(): Date | null {
  useStoreVersion();
  return offline?.since ?? null;
}

/** Calls `fn` (a reload of what a section shows) each time the server answers again after an outage. */
export function useReconnected(fn: () => void): void {
  const ref = useRef(fn);
  ref.current = fn;
  useEffect(() => {
    const listener = () => ref.current();
    reconnectListeners.add(listener);
    return () => void reconnectListeners.delete(listener);
  }, []);
}

/** The page-level line about the outage is on screen: section boxes about it stay silent. */
export function useBannerSlot(): void {
  useLayoutEffect(() => {
    banners++;
    changed();
    return () => {
      banners--;
      changed();
    };
  }, []);
}

export function useConnectionSlot(active: boolean, serverUrl: string | undefined, retry: (() => void) | undefined) {
  const id = useRef(0);
  if (id.current === 0) id.current = ++nextId;
  const retryRef = useRef(retry);
  retryRef.current = retry;
  // Subscribed before the slot below is taken, so the box hears its own arrival and shows at once.
  useStoreVersion();

  useLayoutEffect(() => {
    if (!active) return;
    slots = [...slots, { id: id.current, retry: () => retryRef.current?.(), hasRetry: () => !!retryRef.current }];
    if (serverUrl) noteConnectionProblem(serverUrl);
    changed();
    return () => {
      slots = slots.filter((s) => s.id !== id.current);
      changed();
    };
  }, [active]);

  const first = active && banners === 0 && slots[0]?.id === id.current;
  return { first, anyRetry: slots.some((s) => s.hasRetry()) };
}
