import { createContext, type ComponentChildren } from 'preact';
import { useCallback, useContext, useMemo } from 'preact/hooks';
import type { Api } from '../lib/api';
import type { Problem } from '../lib/errors';
import { problemOf } from '../lib/session-problem';
import { noteConnectionProblem } from './use-connection-problem';
import type { Session } from '../lib/storage';

export interface SignedIn {
  /** The tRPC client of the session. */
  api: Api;
  session: Session;
}

const SessionContext = createContext<SignedIn | null>(null);

/**
 * Wraps the signed-in part of a page: everything below takes the API client and the session from
 * here instead of through props, and reports failures through `useProblemOf`.
 */
export function SessionProvider({ api, session, children }: SignedIn & { children: ComponentChildren }) {
  const value = useMemo(() => ({ api, session }), [api, session]);
  return <SessionContext.Provider value={value}>{children}</SessionContext.Provider>;
}

/** The signed-in session of the page; only components under a SessionProvider call it. */
export function useSignedIn(): SignedIn {
  const value = useContext(SessionContext);
  if (!value) throw new Error('useSignedIn() needs a SessionProvider above it');
  return value;
}

export const useApi = (): Api => useSignedIn().api;

/**
 * How this page turns a failure into a Problem: connection errors name the session's server, and
 * a 401 ends the session (see problemOf). Outside a SessionProvider (no session yet) the message
 * names no server.
 */
export function useProblemOf(): (err: unknown) => Promise<Problem> {
  const serverUrl = useContext(SessionContext)?.session.serverUrl;
  return useCallback(
    async (err: unknown) => {
      const problem = await problemOf(err, serverUrl);
      // The whole page learns the server is unreachable, and reloads itself once it answers.
      if (serverUrl && (problem.kind === 'offline' || problem.kind === 'unavailable')) noteConnectionProblem(serverUrl);
      return problem;
    },
    [serverUrl],
  );
}
