import type { Collections, MarkDoc } from './collections';

export type BatchItem = NonNullable<MarkDoc['items']>[number];
export interface Batch {
  id: string;
  at: Date;
  items: BatchItem[];
}

const batchDocId = (id: string) => `batch:${id}`;

/**
 * Idempotent "done once" markers for background passes. A mark is inserted by
 * upsert with `$setOnInsert`, so of several runners only the one whose batch
 * id ends up stored owns it — whatever the engine's findOneAndUpdate does.
 */
export function marksRepo(cols: Collections) {
  return {
    async existing(markIds: string[]): Promise<Set<string>> {
      if (markIds.length === 0) return new Set();
      const docs = await cols.marks.find({ _id: { $in: markIds } }, { projection: { _id: 1 } }).toArray();
      return new Set(docs.map((d) => d._id));
    },

    /** Claims each mark for `batchId` unless another batch has it; returns the marks this batch owns. */
    async claim(markIds: string[], batchId: string, at: Date): Promise<Set<string>> {
      for (const id of markIds) {
        try {
          await cols.marks.updateOne({ _id: id }, { $setOnInsert: { at, batchId } }, { upsert: true });
        } catch {
          // A concurrent upsert of the same _id lost the race: the owner check below decides.
        }
      }
      if (markIds.length === 0) return new Set();
      const docs = await cols.marks.find({ _id: { $in: markIds } }, { projection: { _id: 1, batchId: 1 } }).toArray();
      return new Set(docs.filter((d) => d.batchId === batchId).map((d) => d._id));
    },

    /** The work of a pass, written before any of it is done. */
    async insertBatch(batch: Batch): Promise<void> {
      await cols.marks.insertOne({ _id: batchDocId(batch.id), at: batch.at, state: 'pending', items: batch.items });
    },

    async pendingBatches(olderThan: Date, limit: number): Promise<Batch[]> {
      const docs = await cols.marks.find({ state: 'pending', at: { $lte: olderThan } }).sort({ at: 1 }).limit(limit).toArray();
      return docs.map((d) => ({ id: d._id.slice('batch:'.length), at: d.at, items: d.items ?? [] }));
    },

    async completeBatch(id: string): Promise<void> {
      await cols.marks.deleteOne({ _id: batchDocId(id) });
    },
  };
}
export type MarksRepo = ReturnType<typeof marksRepo>;
