import { TRPCClientError } from '@trpc/client';
import { HttpError } from './api';

export type ProblemKind = 'offline' | 'unauthorized' | 'forbidden' | 'not_found' | 'invalid' | 'rate_limited' | 'unavailable' | 'unknown';

export interface Problem {
  kind: ProblemKind;
  message: string;
}

const BY_TRPC_CODE: Record<string, ProblemKind> = {
  UNAUTHORIZED: 'unauthorized',
  FORBIDDEN: 'forbidden',
  NOT_FOUND: 'not_found',
  BAD_REQUEST: 'invalid',
  CONFLICT: 'invalid',
  PRECONDITION_FAILED: 'invalid',
  TOO_MANY_REQUESTS: 'rate_limited',
  SERVICE_UNAVAILABLE: 'unavailable',
};

const BY_HTTP_STATUS: Record<number, ProblemKind> = { 400: 'invalid', 401: 'unauthorized', 403: 'forbidden', 404: 'not_found', 429: 'rate_limited', 503: 'unavailable' };

/**
 * Turns any failure into one of a few kinds the UI handles differently:
 * offline (server down or wrong URL), unauthorized (session expired -> sign in),
 * forbidden (a member on an admin screen), and the rest with the server's message.
 */
export function describeError(err: unknown, serverUrl?: string): Problem {
  if (err instanceof TRPCClientError) {
    const code = (err.data as { code?: string } | undefined)?.code;
    if (!code) return offline(serverUrl);
    const kind = BY_TRPC_CODE[code] ?? 'unknown';
    return { kind, message: kind === 'forbidden' && !err.message ? 'Only team admins can do this.' : err.message };
  }
  if (err instanceof HttpError) return { kind: BY_HTTP_STATUS[err.status] ?? 'unknown', message: err.message };
  if (err instanceof TypeError) return offline(serverUrl);
  return { kind: 'unknown', message: err instanceof Error ? err.message : String(err) };
}

function offline(serverUrl?: string): Problem {
  return {
    kind: 'offline',
    message: serverUrl ? `Can't reach the Keywarden server at ${serverUrl}. Is it running, and is the URL right?` : "Can't reach the Keywarden server.",
  };
}
