import { useEffect, useLayoutEffect, useRef, useState } from 'preact/hooks';

/**
 * "Server unreachable" is one fact about the page, not one per section: every
 * section that hits it takes a slot here, the first slot's box speaks for all,
 * and its "Try again" retries every section. The first box also watches the
 * server's /health (backing off to a minute) and retries everything once the
 * server answers again, so the error goes away when its cause does.
 */
interface Slot {
  id: number;
  retry(): void;
  hasRetry(): boolean;
}

let slots: Slot[] = [];
let nextId = 0;
const listeners = new Set<() => void>();
const changed = () => listeners.forEach((l) => l());

export function retryAllConnectionProblems(): void {
  for (const slot of [...slots]) slot.retry();
}

const WATCH_FIRST_MS = 5_000;
const WATCH_MAX_MS = 60_000;

async function answersHealthy(serverUrl: string): Promise<boolean> {
  try {
    const res = await fetch(`${serverUrl}/health`, { cache: 'no-store' });
    return res.ok && ((await res.json()) as { ok?: unknown }).ok === true;
  } catch {
    return false;
  }
}

export function useConnectionSlot(active: boolean, serverUrl: string | undefined, retry: (() => void) | undefined) {
  const id = useRef(0);
  if (id.current === 0) id.current = ++nextId;
  const retryRef = useRef(retry);
  retryRef.current = retry;
  const [, rerender] = useState(0);

  // Subscribed before the slot below is taken, so the box hears its own arrival and shows at once.
  useLayoutEffect(() => {
    const listener = () => rerender((n) => n + 1);
    listeners.add(listener);
    return () => void listeners.delete(listener);
  }, []);

  useLayoutEffect(() => {
    if (!active) return;
    slots = [...slots, { id: id.current, retry: () => retryRef.current?.(), hasRetry: () => !!retryRef.current }];
    changed();
    return () => {
      slots = slots.filter((s) => s.id !== id.current);
      changed();
    };
  }, [active]);

  const first = active && slots[0]?.id === id.current;

  useEffect(() => {
    if (!first || !serverUrl) return;
    let delay = WATCH_FIRST_MS;
    let timer: ReturnType<typeof setTimeout>;
    let stopped = false;
    const check = async () => {
      if (!document.hidden && (await answersHealthy(serverUrl))) {
        if (!stopped) retryAllConnectionProblems();
        return;
      }
      delay = Math.min(delay * 2, WATCH_MAX_MS);
      if (!stopped) timer = setTimeout(() => void check(), delay);
    };
    timer = setTimeout(() => void check(), delay);
    return () => {
      stopped = true;
      clearTimeout(timer);
    };
  }, [first, serverUrl]);

  return { first, anyRetry: slots.some((s) => s.hasRetry()) };
}
