import type { Collections } from './collections';

/**
 * A counter per kind of state ("keys") that every server instance can read
 * cheaply: bumped after any key's status changes, so other instances know to
 * drop what they cached.
 */
export function revisionsRepo(cols: Collections) {
  return {
    async bump(name: string): Promise<void> {
      await cols.revisions.updateOne({ _id: name }, { $inc: { rev: 1 } }, { upsert: true });
    },
    async get(name: string): Promise<number> {
      return (await cols.revisions.findOne({ _id: name }))?.rev ?? 0;
    },
  };
}
export type RevisionsRepo = ReturnType<typeof revisionsRepo>;
