import { useCallback, useEffect, useRef, useState } from 'preact/hooks';
import { isConnectionProblem, type Problem } from '../lib/errors';
import { useProblemOf } from './session-context';
import { useReconnected } from './use-connection-problem';

export type AsyncState<T> =
  | { status: 'loading'; data: T | undefined; problem: null }
  | { status: 'ok'; data: T; problem: null }
  | { status: 'error'; data: T | undefined; problem: Problem };

/**
 * Runs a request when its inputs change and exposes loading / ok / error.
 * Failures go through the page's useProblemOf (a 401 ends the session).
 */
export function useAsync<T>(fn: (() => Promise<T>) | null, deps: unknown[]) {
  const [state, setState] = useState<AsyncState<T>>({ status: 'loading', data: undefined, problem: null });
  const run = useRef(0);
  // A ref, so `deps` alone decide when the request runs again.
  const describe = useProblemOf();
  const problemOf = useRef(describe);
  problemOf.current = describe;

  const load = useCallback(async () => {
    if (!fn) return;
    const id = ++run.current;
    setState((s) => ({ status: 'loading', data: s.data, problem: null }));
    try {
      const data = await fn();
      if (id === run.current) setState({ status: 'ok', data, problem: null });
    } catch (err) {
      if (id !== run.current) return;
      const problem = await problemOf.current(err);
      if (id === run.current) setState((s) => ({ status: 'error', data: s.data, problem }));
    }
  }, deps);

  useEffect(() => {
    void load();
  }, [load]);
  // What is on screen may have changed while the server was away: read it again once it is back.
  useReconnected(() => void load());

  const setData = (data: T) => setState({ status: 'ok', data, problem: null });
  return { ...state, reload: load, setData };
}

/** Wraps one user action (a button): busy flag, readable error, 401 -> sign-in. */
export function useAction() {
  const [busy, setBusy] = useState(false);
  const [problem, setProblem] = useState<Problem | null>(null);
  const problemOf = useProblemOf();
  const act = useCallback(
    async <R,>(fn: () => Promise<R>): Promise<R | undefined> => {
      setBusy(true);
      setProblem(null);
      try {
        return await fn();
      } catch (err) {
        setProblem(await problemOf(err));
        return undefined;
      } finally {
        setBusy(false);
      }
    },
    [problemOf],
  );
  // "Server unreachable" from an action is over once the server answers again.
  useReconnected(() => setProblem((p) => (p && isConnectionProblem(p) ? null : p)));
  return { busy, problem, act, clear: () => setProblem(null) };
}
