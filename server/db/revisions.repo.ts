import type { Collections } from './collections';
import { onlyDuplicates } from './insert-once';
import { BACKGROUND_COMMENT } from './key-lists';

/**
 * A counter per kind of shared state ("keys": any key's status; "alerts":
 * anything a badge is made of) that every server instance can read with one
 * `_id` look-up. A bump is an atomic `$inc`, so the numbers strictly increase
 * across instances: a reader that saw n knows something changed once it reads
 * another number. (Polled, because the embedded engine has no change streams.)
 */
export function revisionsRepo(cols: Collections) {
  /** Moves `name` on and answers the number it moved to (a bumper that knew the one before knows it missed nothing). */
  async function advance(name: string): Promise<number> {
    const inc = async () => (await cols.revisions.findOneAndUpdate({ _id: name }, { $inc: { seq: 1 } }, { upsert: true, returnDocument: 'after' }))?.seq ?? 0;
    try {
      return await inc();
    } catch (err) {
      // The very first bumps of `name` racing: the loser's upsert met the winner's insert, and the document exists now.
      if (!onlyDuplicates(err)) throw err;
      return await inc();
    }
  }
  return {
    /** Moves `name` on. */
    async bump(name: string): Promise<void> {
      await advance(name);
    },
    advance,
    /** 0 before the first bump. A background poll says so: its read is tagged with BACKGROUND_COMMENT. */
    async get(name: string, options: { background?: boolean } = {}): Promise<number> {
      const tag = options.background ? { comment: BACKGROUND_COMMENT } : {};
      return (await cols.revisions.findOne({ _id: name }, { projection: { seq: 1 }, ...tag }))?.seq ?? 0;
    },
  };
}
export type RevisionsRepo = ReturnType<typeof revisionsRepo>;
