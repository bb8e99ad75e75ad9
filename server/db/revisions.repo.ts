import { randomBytes } from 'node:crypto';
import type { Collections } from './collections';

/**
 * A token per kind of shared state ("keys": any key's status; "alerts":
 * anything a badge is made of) that every server instance can read with one
 * `_id` look-up. A bump writes a fresh random token rather than incrementing a
 * counter: FerretDB's `$inc` is not atomic, and two racing increments could
 * both write the same number — two racing random tokens always differ from
 * what any reader saw before either change.
 */
export function revisionsRepo(cols: Collections) {
  return {
    async bump(name: string): Promise<void> {
      await cols.revisions.updateOne({ _id: name }, { $set: { v: randomBytes(8).toString('hex') } }, { upsert: true });
    },
    async get(name: string): Promise<string> {
      return (await cols.revisions.findOne({ _id: name }))?.v ?? '0';
    },
  };
}
export type RevisionsRepo = ReturnType<typeof revisionsRepo>;
