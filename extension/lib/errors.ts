import { TRPCClientError } from '@trpc/client';
import { HttpError } from './api';

export type ProblemKind =
  | 'offline'
  | 'not_keywarden'
  | 'unauthorized'
  | 'wrong_code'
  | 'forbidden'
  | 'not_found'
  | 'invalid'
  | 'conflict'
  | 'rate_limited'
  | 'unavailable'
  | 'unknown';

export interface Problem {
  kind: ProblemKind;
  message: string;
  /** For problems with the connection: the server that failed, so the page can tell when it is back. */
  serverUrl?: string;
}

const BY_TRPC_CODE: Record<string, ProblemKind> = {
  UNAUTHORIZED: 'unauthorized',
  FORBIDDEN: 'forbidden',
  NOT_FOUND: 'not_found',
  BAD_REQUEST: 'invalid',
  PAYLOAD_TOO_LARGE: 'invalid',
  CONFLICT: 'conflict',
  PRECONDITION_FAILED: 'invalid',
  TOO_MANY_REQUESTS: 'rate_limited',
  SERVICE_UNAVAILABLE: 'unavailable',
};

const BY_HTTP_STATUS: Record<number, ProblemKind> = { 400: 'invalid', 401: 'unauthorized', 403: 'forbidden', 404: 'not_found', 409: 'conflict', 429: 'rate_limited', 503: 'unavailable' };

/** Problems that are about reaching the server, not about the request: one message per page is enough. */
export function isConnectionProblem(problem: Pick<Problem, 'kind'>): boolean {
  return problem.kind === 'offline' || problem.kind === 'unavailable' || problem.kind === 'not_keywarden';
}

/**
 * Turns any failure into one of a few kinds the UI handles differently:
 * offline (nothing answers), not_keywarden (something answers, but not a
 * Keywarden server: usually a wrong URL), unauthorized (session expired ->
 * sign in), forbidden (a member on an admin screen), and the rest with the
 * server's message.
 */
export function describeError(err: unknown, serverUrl?: string): Problem {
  if (err instanceof TRPCClientError) {
    const code = (err.data as { code?: string } | undefined)?.code;
    if (!code) return transportProblem(err, serverUrl);
    const kind = BY_TRPC_CODE[code] ?? 'unknown';
    if (kind === 'unavailable') return { kind, message: err.message, serverUrl };
    return { kind, message: kind === 'forbidden' && !err.message ? 'Only team admins can do this.' : err.message };
  }
  if (err instanceof HttpError) {
    const kind = BY_HTTP_STATUS[err.status] ?? 'unknown';
    return kind === 'unavailable' ? { kind, message: err.message, serverUrl } : { kind, message: err.message };
  }
  if (err instanceof TypeError) return offline(serverUrl);
  return { kind: 'unknown', message: err instanceof Error ? err.message : String(err) };
}

/**
 * A failed sign-in step. There an UNAUTHORIZED answer means the code was wrong, not that a
 * session expired (there is none yet).
 */
export function describeSignInError(err: unknown, serverUrl: string): Problem {
  const problem = describeError(err, serverUrl);
  return problem.kind === 'unauthorized' ? { kind: 'wrong_code', message: problem.message } : problem;
}

/** No tRPC answer: nothing answered (offline), or something did that is not a Keywarden server. */
function transportProblem(err: TRPCClientError<never>, serverUrl?: string): Problem {
  const cause = err.cause as unknown;
  const response = (err.meta as { response?: Response } | undefined)?.response;
  const answered = cause instanceof SyntaxError || (cause instanceof Error && cause.name === 'SyntaxError') || response !== undefined;
  if (!answered) return offline(serverUrl);
  const status = response ? ` (it answered ${response.status})` : '';
  return {
    kind: 'not_keywarden',
    serverUrl,
    message: `${serverUrl ? `The server at ${serverUrl}` : 'The server'} answered, but not as Keywarden does${status}. Check the server URL in the options: it is the address of the Keywarden server itself, such as http://127.0.0.1:8787, without a path.`,
  };
}

function offline(serverUrl?: string): Problem {
  return {
    kind: 'offline',
    serverUrl,
    message: serverUrl ? `Can't reach the Keywarden server at ${serverUrl}. Is it running, and is the URL right?` : "Can't reach the Keywarden server.",
  };
}
