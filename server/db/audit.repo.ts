import type { AuditDoc, Collections } from './collections';
import type { Position } from '../lib/pagination';
import { newestFirst } from './keyset';
import { insertOnce } from './insert-once';

export type AuditRecord = Omit<AuditDoc, '_id'> & { id: string };

export function auditRepo(cols: Collections) {
  return {
    /** Idempotent on `id`: completing an interrupted action writes its record once. */
    async insert(record: AuditRecord): Promise<void> {
      const { id, ...rest } = record;
      // Two writers completing the same action at once: either way the record exists, which is all that was asked.
      await insertOnce(cols.audit, id, rest);
    },
    /** Newest first, keyset-paginated on (at, _id). */
    async list(teamId: string, after: Position | null, limit: number): Promise<AuditRecord[]> {
      const page = newestFirst('at', '_id', after);
      const docs = await cols.audit.find({ teamId, ...page.filter }).sort(page.sort).limit(limit).toArray();
      return docs.map(({ _id, ...rest }) => ({ id: _id, ...rest }));
    },
    /** When and from where each of these canaries last fired (its newest `canary.triggered` record); absent when never. */
    async lastCanaryAlarms(teamId: string, keyIds: string[]): Promise<Map<string, { at: Date; ip: string | null }>> {
      const found = await Promise.all(
        keyIds.map(async (id) => {
          const doc = await cols.audit.findOne({ teamId, action: 'canary.triggered', 'targets.ids': id }, { sort: { at: -1 }, projection: { at: 1, ip: 1 } });
          return doc ? ([id, { at: doc.at, ip: doc.ip ?? null }] as const) : null;
        }),
      );
      return new Map(found.filter((f) => f !== null));
    },
    async *stream(teamId: string): AsyncGenerator<AuditRecord> {
      for await (const { _id, ...rest } of cols.audit.find({ teamId }).sort({ at: -1, _id: -1 })) yield { id: _id, ...rest };
    },
  };
}
export type AuditRepo = ReturnType<typeof auditRepo>;
