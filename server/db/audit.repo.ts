import type { AuditDoc, Collections } from './collections';

export type AuditRecord = Omit<AuditDoc, '_id'> & { id: string };

export function auditRepo(cols: Collections) {
  return {
    /** Idempotent on `id`: completing an interrupted action writes its record once. */
    async insert(record: AuditRecord): Promise<void> {
      const { id, ...rest } = record;
      try {
        await cols.audit.updateOne({ _id: id }, { $setOnInsert: rest }, { upsert: true });
      } catch (err) {
        // Two writers completing the same action at once: the loser's upsert hits the unique `_id`
        // (a generic error on FerretDB). The record exists, which is all that was asked.
        if (await cols.audit.countDocuments({ _id: id }, { limit: 1 })) return;
        throw err;
      }
    },
    /** Newest first, keyset-paginated on (at, _id). */
    async list(teamId: string, after: { at: Date; id: string } | null, limit: number): Promise<AuditRecord[]> {
      const filter: Record<string, unknown> = { teamId };
      if (after) filter.$or = [{ at: { $lt: after.at } }, { at: after.at, _id: { $lt: after.id } }];
      const docs = await cols.audit.find(filter).sort({ at: -1, _id: -1 }).limit(limit).toArray();
      return docs.map(({ _id, ...rest }) => ({ id: _id, ...rest }));
    },
    async *stream(teamId: string): AsyncGenerator<AuditRecord> {
      for await (const { _id, ...rest } of cols.audit.find({ teamId }).sort({ at: -1, _id: -1 })) yield { id: _id, ...rest };
    },
  };
}
export type AuditRepo = ReturnType<typeof auditRepo>;
