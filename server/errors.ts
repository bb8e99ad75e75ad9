import { TRPCError } from '@trpc/server';
import { isDriverUnavailable } from './db/driver-errors';
import { consoleLogger } from './deps';
import { DeadlineExceeded } from './lib/deadline';

/**
 * Domain errors and their single mapping to tRPC codes and HTTP statuses.
 * Messages are written for the person who made the call; driver errors are
 * never shown to clients.
 */
export type AppErrorCode =
  | 'BAD_REQUEST'
  | 'UNAUTHORIZED'
  | 'FORBIDDEN'
  | 'NOT_FOUND'
  /** The path names a route, not with this method (REST answers it with `Allow`). */
  | 'METHOD_NOT_ALLOWED'
  | 'CONFLICT'
  | 'PRECONDITION_FAILED'
  /** What the caller asks for no longer exists here (the change feed before its retained window). */
  | 'GONE'
  | 'PAYLOAD_TOO_LARGE'
  | 'TOO_MANY_REQUESTS'
  | 'INTERNAL_SERVER_ERROR'
  | 'SERVICE_UNAVAILABLE';

const HTTP_STATUS: Record<AppErrorCode, 400 | 401 | 403 | 404 | 405 | 409 | 410 | 412 | 413 | 429 | 500 | 503> = {
  BAD_REQUEST: 400,
  UNAUTHORIZED: 401,
  FORBIDDEN: 403,
  NOT_FOUND: 404,
  METHOD_NOT_ALLOWED: 405,
  CONFLICT: 409,
  PRECONDITION_FAILED: 412,
  GONE: 410,
  PAYLOAD_TOO_LARGE: 413,
  TOO_MANY_REQUESTS: 429,
  INTERNAL_SERVER_ERROR: 500,
  SERVICE_UNAVAILABLE: 503,
};

export class AppError extends Error {
  constructor(
    readonly code: AppErrorCode,
    message: string,
  ) {
    super(message);
  }
}

export const notFound = (what = 'Not found') => new AppError('NOT_FOUND', what);
export const forbidden = (why = 'Only team admins and super admins may do this.') => new AppError('FORBIDDEN', why);
export const badRequest = (why: string) => new AppError('BAD_REQUEST', why);

export function isDatabaseUnavailable(err: unknown): boolean {
  return err instanceof DeadlineExceeded || isDriverUnavailable(err);
}

/**
 * A failure once a write was attempted: the change may already be in the database, so the
 * caller must not be told that nothing was changed. Made by `afterWrite`, mapped by toAppError.
 */
export class AfterWriteError extends Error {
  constructor(cause: unknown) {
    super(cause instanceof Error ? cause.message : String(cause), { cause });
    this.name = 'AfterWriteError';
  }
}

/**
 * Runs `work`, which begins with a service's first write: anything but an AppError it throws
 * (the write's own failure included, whose answer may have been lost after it was applied)
 * becomes an AfterWriteError.
 */
export async function afterWrite<T>(work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (err) {
    throw err instanceof AppError ? err : new AfterWriteError(err);
  }
}

/** Turns anything thrown into an AppError; unknown errors are logged, never leaked. */
export function toAppError(err: unknown, log: (msg: string, err: unknown) => void = defaultLog): AppError {
  if (err instanceof AppError) return err;
  if (err instanceof AfterWriteError) {
    if (err.cause instanceof DeadlineExceeded || isDatabaseUnavailable(err.cause)) {
      log('database unavailable after a write', err.cause);
      return new AppError('SERVICE_UNAVAILABLE', 'The database failed while your change was being saved. It may or may not have been applied; retrying is safe.');
    }
    log('unexpected error after a write', err.cause);
    return new AppError('INTERNAL_SERVER_ERROR', 'Something went wrong on the server while your change was being saved. It may or may not have been applied. It has been logged.');
  }
  if (err instanceof DeadlineExceeded) {
    log('deadline exceeded', err);
    return new AppError('SERVICE_UNAVAILABLE', 'The database did not answer in time. If you asked for a change, it may or may not have been applied; retrying is safe.');
  }
  if (isDatabaseUnavailable(err)) {
    log('database unavailable', err);
    return new AppError('SERVICE_UNAVAILABLE', 'The database is unavailable right now. Nothing was changed; please try again shortly.');
  }
  // A bug: 500, not 503, so clients do not retry what will fail the same way.
  log('unexpected error', err);
  return new AppError('INTERNAL_SERVER_ERROR', 'Something went wrong on the server. It has been logged.');
}

export function toTRPCError(err: AppError): TRPCError {
  // tRPC has no 410 and words 405 its own way; no procedure answers either (only REST routes do).
  const code = err.code === 'GONE' ? 'PRECONDITION_FAILED' : err.code === 'METHOD_NOT_ALLOWED' ? 'METHOD_NOT_SUPPORTED' : err.code;
  return new TRPCError({ code, message: err.message, cause: err });
}

export function httpStatus(err: AppError) {
  return HTTP_STATUS[err.code];
}

function defaultLog(msg: string, err: unknown) {
  consoleLogger.error(msg, err);
}
