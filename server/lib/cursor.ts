import { badRequest } from '../errors';

/** Opaque keyset cursors: base64url JSON the client passes back untouched. */
export function encodeCursor(value: Record<string, string | number | null>): string {
  return Buffer.from(JSON.stringify(value)).toString('base64url');
}

export function decodeCursor<T extends Record<string, unknown>>(cursor: string | undefined, check: (v: any) => v is T): T | null {
  if (!cursor) return null;
  try {
    const value = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
    if (check(value)) return value;
  } catch {
    // fall through to the error below
  }
  throw badRequest('cursor: not a cursor this server issued');
}
