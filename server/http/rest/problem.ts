import type { ZodError } from 'zod';
import type { Problem } from '../../../shared/schemas/rest';
import { AppError, httpStatus, type AppErrorCode } from '../../errors';

/**
 * RFC 9457 problem details, the one error answer of the REST API. `code` is the error code
 * tRPC uses for the same failure, so a script and the extension read the same names.
 */
const TITLES: Record<AppErrorCode, string> = {
  BAD_REQUEST: 'Bad request',
  UNAUTHORIZED: 'Unauthorized',
  FORBIDDEN: 'Forbidden',
  NOT_FOUND: 'Not found',
  METHOD_NOT_ALLOWED: 'Method not allowed',
  CONFLICT: 'Conflict',
  PRECONDITION_FAILED: 'Precondition failed',
  GONE: 'Gone',
  PAYLOAD_TOO_LARGE: 'Payload too large',
  TOO_MANY_REQUESTS: 'Too many requests',
  INTERNAL_SERVER_ERROR: 'Internal server error',
  SERVICE_UNAVAILABLE: 'Service unavailable',
};

/** A bad input with the fields that failed; the mount answers it as a 400 naming them. */
export class InvalidInput extends AppError {
  constructor(readonly errors: { path: string; message: string }[]) {
    super('BAD_REQUEST', errors.map((e) => `${e.path}: ${e.message}`).join('; '));
  }
}

/** A zod failure of one part of the request (`query`, `body`), each issue named by its field. */
export function invalidInput(where: 'query' | 'body', error: ZodError): InvalidInput {
  return new InvalidInput(error.issues.map((i) => ({ path: [where, ...i.path.map(String)].join('.'), message: i.message })));
}

export function problemOf(error: AppError): Problem {
  const status = httpStatus(error);
  return {
    type: `/v1/docs#problem-${error.code.toLowerCase().replaceAll('_', '-')}`,
    title: TITLES[error.code],
    status,
    detail: error.message,
    code: error.code,
    ...(error instanceof InvalidInput ? { errors: error.errors } : {}),
  };
}

/** 401s carry `WWW-Authenticate: Bearer` (RFC 6750), so a client knows which credentials to send. */
export function problemResponse(error: AppError, headers: Record<string, string> = {}): Response {
  const problem = problemOf(error);
  const all = new Headers({ 'content-type': 'application/problem+json', 'cache-control': 'no-store', ...headers });
  if (problem.status === 401) all.set('WWW-Authenticate', 'Bearer realm="keywarden", error="invalid_token"');
  return new Response(JSON.stringify(problem), { status: problem.status, headers: all });
}

/** REST paths, as opposed to the CSV exports that share `/v1/teams/…`: their refusals are problems too. */
export const isRestPath = (path: string) => path.startsWith('/v1/teams/') && !path.endsWith('.csv');
