import { z } from 'zod';
import { badRequest } from '../errors';

/**
 * Keyset pagination, server side: opaque cursors (base64url JSON the client passes back
 * untouched) checked against a zod schema, and one way to cut a page. Repos build the matching
 * query with server/db/keyset.ts.
 */

/** Where a newest-first page ended: the last row's time and id (ties on time are broken by id). */
export interface Position {
  at: Date;
  id: string;
}

/** Encodes and decodes one list's cursor; anything this server did not issue is a 400. */
export function cursorCodec<S extends z.ZodType>(schema: S) {
  return {
    encode: (value: z.input<S>): string => Buffer.from(JSON.stringify(value)).toString('base64url'),
    decode(cursor: string | undefined): z.output<S> | null {
      if (!cursor) return null;
      let json: unknown;
      try {
        json = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
      } catch {
        json = undefined;
      }
      const parsed = schema.safeParse(json);
      if (!parsed.success) throw badRequest('cursor: not a cursor this server issued');
      return parsed.data;
    },
  };
}

/**
 * Newest-first (time, id) cursors. Each list keeps the field name its cursors have always
 * carried (`c` for createdAt, `a` for at), so cursors issued before stay valid.
 */
const createdCodec = cursorCodec(z.object({ c: z.number(), i: z.string() }));
const atCodec = cursorCodec(z.object({ a: z.number(), i: z.string() }));

export const positionCursor = {
  /** Lists ordered by `createdAt` (keys, notices, the outbox). */
  created: {
    encode: (p: Position) => createdCodec.encode({ c: p.at.getTime(), i: p.id }),
    decode: (cursor: string | undefined): Position | null => {
      const v = createdCodec.decode(cursor);
      return v ? { at: new Date(v.c), id: v.i } : null;
    },
  },
  /** Lists ordered by `at` (audit, webhook deliveries). */
  at: {
    encode: (p: Position) => atCodec.encode({ a: p.at.getTime(), i: p.id }),
    decode: (cursor: string | undefined): Position | null => {
      const v = atCodec.decode(cursor);
      return v ? { at: new Date(v.a), id: v.i } : null;
    },
  },
};

/** One page out of `limit + 1` rows read after the cursor, and the next page's cursor when there is one. */
export function keysetPage<Row>(rows: Row[], limit: number, cursorOf: (last: Row) => string): { rows: Row[]; nextCursor: string | null } {
  const last = rows.length > limit ? rows[limit - 1]! : null;
  return { rows: rows.slice(0, limit), nextCursor: last ? cursorOf(last) : null };
}
