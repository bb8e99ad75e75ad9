import { useCallback, useEffect, useRef, useState } from 'preact/hooks';
import { describeError, type Problem } from '../lib/errors';
import { endSession } from '../lib/storage';

export type AsyncState<T> =
  | { status: 'loading'; data: T | undefined; problem: null }
  | { status: 'ok'; data: T; problem: null }
  | { status: 'error'; data: T | undefined; problem: Problem };

/**
 * Runs a request when its inputs change and exposes loading / ok / error.
 * A 401 ends the session everywhere (every page then shows sign-in).
 */
export function useAsync<T>(fn: (() => Promise<T>) | null, deps: unknown[], serverUrl?: string) {
  const [state, setState] = useState<AsyncState<T>>({ status: 'loading', data: undefined, problem: null });
  const run = useRef(0);

  const load = useCallback(async () => {
    if (!fn) return;
    const id = ++run.current;
    setState((s) => ({ status: 'loading', data: s.data, problem: null }));
    try {
      const data = await fn();
      if (id === run.current) setState({ status: 'ok', data, problem: null });
    } catch (err) {
      if (id !== run.current) return;
      const problem = describeError(err, serverUrl);
      if (problem.kind === 'unauthorized') await endSession('expired');
      setState((s) => ({ status: 'error', data: s.data, problem }));
    }
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, deps);

  useEffect(() => {
    void load();
  }, [load]);

  const setData = (data: T) => setState({ status: 'ok', data, problem: null });
  return { ...state, reload: load, setData };
}

/** Wraps one user action (a button): busy flag, readable error, 401 -> sign-in. */
export function useAction(serverUrl?: string) {
  const [busy, setBusy] = useState(false);
  const [problem, setProblem] = useState<Problem | null>(null);
  const act = useCallback(
    async <R,>(fn: () => Promise<R>): Promise<R | undefined> => {
      setBusy(true);
      setProblem(null);
      try {
        return await fn();
      } catch (err) {
        const p = describeError(err, serverUrl);
        if (p.kind === 'unauthorized') await endSession('expired');
        setProblem(p);
        return undefined;
      } finally {
        setBusy(false);
      }
    },
    [serverUrl],
  );
  return { busy, problem, act, clear: () => setProblem(null) };
}
