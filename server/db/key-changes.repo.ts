import type { KeyChangeKind } from '../../shared/schemas/key-change';
import type { Collections, KeyChangeDoc } from './collections';
import { onlyDuplicates } from './insert-once';

/** What a reader gets: an event, or a `gap` filler (a number whose writer never inserted it). */
export interface StoredKeyChange {
  seq: number;
  keyId: string | null;
  kind: KeyChangeKind | 'gap';
  at: Date;
}

const GAP = 'gap';
const counterId = (teamId: string) => `feed:${teamId}`;
const docId = (teamId: string, seq: number) => `${teamId}:${seq}`;
const toChange = (d: KeyChangeDoc): StoredKeyChange => ({ seq: d.seq, keyId: d.keyId, kind: d.kind as StoredKeyChange['kind'], at: d.at });

/**
 * Each team's change feed. A writer takes its numbers with one atomic `$inc` on the team's counter
 * (in `revisions`, `feed:{teamId}`), then inserts its events under `_id` `{teamId}:{seq}`. Between
 * the two a reader can see N+1 before N: readers return only the contiguous prefix, and a number
 * missing for long (its writer stalled or died) is filled with a `gap` document by an insert that
 * only one party can win. A writer that finds its number filled takes a new one, so its event
 * is never lost, and a reader that passes a gap knows nothing will ever appear there.
 */
export function keyChangesRepo(cols: Collections) {
  /** The first of `n` fresh numbers of the team. */
  async function take(teamId: string, n: number): Promise<number> {
    const inc = () => cols.revisions.findOneAndUpdate({ _id: counterId(teamId) }, { $inc: { seq: n } }, { upsert: true, returnDocument: 'after' });
    let doc;
    try {
      doc = await inc();
    } catch (err) {
      // The team's first two writers racing: the loser's upsert met the winner's insert.
      if (!onlyDuplicates(err)) throw err;
      doc = await inc();
    }
    return doc!.seq - n + 1;
  }

  return {
    /** Appends one event per change, numbered in order; returns the numbers used. */
    async append(teamId: string, changes: { keyId: string; kind: KeyChangeKind }[], at: Date): Promise<number[]> {
      const used: number[] = [];
      let pending = changes;
      while (pending.length > 0) {
        const first = await take(teamId, pending.length);
        const docs: KeyChangeDoc[] = pending.map((c, i) => ({ _id: docId(teamId, first + i), teamId, seq: first + i, keyId: c.keyId, kind: c.kind, at }));
        try {
          await cols.keyChanges.insertMany(docs, { ordered: false });
          used.push(...docs.map((d) => d.seq));
          pending = [];
        } catch (err) {
          if (!onlyDuplicates(err)) throw err;
          // A reader filled some of these numbers as gaps while this writer was slow: take new ones for those.
          const gaps = new Set((await cols.keyChanges.find({ _id: { $in: docs.map((d) => d._id) }, kind: GAP }, { projection: { _id: 1 } }).toArray()).map((d) => d._id));
          used.push(...docs.filter((d) => !gaps.has(d._id)).map((d) => d.seq));
          pending = pending.filter((_, i) => gaps.has(docs[i]!._id));
        }
      }
      return used;
    },

    /** The team's entries after `after`, in order (gaps included, holes not). */
    async after(teamId: string, after: number, limit: number): Promise<StoredKeyChange[]> {
      const docs = await cols.keyChanges.find({ teamId, seq: { $gt: after } }).sort({ seq: 1 }).limit(limit).toArray();
      return docs.map(toChange);
    },

    /** Claims a missing number for a gap; false when its event (or another reader's gap) got there first. */
    async fillGap(teamId: string, seq: number, at: Date): Promise<boolean> {
      try {
        await cols.keyChanges.insertOne({ _id: docId(teamId, seq), teamId, seq, keyId: null, kind: GAP, at });
        return true;
      } catch (err) {
        if (onlyDuplicates(err)) return false;
        throw err;
      }
    },

    /** The last number taken (0 before the first event) and the highest one pruned. */
    async position(teamId: string): Promise<{ head: number; pruned: number }> {
      const doc = await cols.revisions.findOne({ _id: counterId(teamId) }, { projection: { seq: 1, pruned: 1 } });
      return { head: doc?.seq ?? 0, pruned: doc?.pruned ?? 0 };
    },

    /**
     * Deletes entries older than `before`, `batch` at a time. Each team's highest pruned number is
     * recorded before its entries go, so a reader behind it is told (410) rather than shown a hole.
     */
    async prune(before: Date, batch = 500): Promise<number> {
      let deleted = 0;
      for (;;) {
        const old = await cols.keyChanges.find({ at: { $lt: before } }, { projection: { _id: 1, teamId: 1, seq: 1 } }).limit(batch).toArray();
        if (old.length === 0) return deleted;
        const highest = new Map<string, number>();
        for (const d of old) highest.set(d.teamId, Math.max(highest.get(d.teamId) ?? 0, d.seq));
        for (const [teamId, seq] of highest) await cols.revisions.updateOne({ _id: counterId(teamId) }, { $max: { pruned: seq } });
        deleted += (await cols.keyChanges.deleteMany({ _id: { $in: old.map((d) => d._id) } })).deletedCount;
        if (old.length < batch) return deleted;
      }
    },
  };
}
export type KeyChangesRepo = ReturnType<typeof keyChangesRepo>;
