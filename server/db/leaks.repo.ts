import type { LeakEntry } from '../../shared/schemas/leak';
import type { Collections } from './collections';
import type { LeakDoc } from './leak-docs';
import { insertOnce } from './insert-once';

/**
 * Leak records. Two kinds of document, both inserted once by a derived `_id`
 * (FerretDB v1 has no transactions and no atomic conditional update, so an
 * insert that only one writer can win is the way to decide "first"):
 * - `report:<hash>`: one report of one key (source + URL), so the same report
 *   sent twice is kept once;
 * - `first:<keyId>`: the first report of a key, whose writer acts on it
 *   (revoke, disable, notify) and then stamps `handledAt`: a key reported twice
 *   is handled once, and a handling cut short is finished by the next report.
 */
export type { LeakDoc };

export type LeakRecord = Omit<LeakDoc, '_id' | 'kind' | 'handledAt'>;

export function leaksRepo(cols: Collections) {
  const toEntry = (d: LeakDoc): LeakEntry & { keyId: string } => ({ keyId: d.keyId, source: d.source, url: d.url, at: d.at, action: d.action });

  return {
    /** Keeps one report; false when the same report (`reportId`) was already kept. */
    recordReport: (reportId: string, record: LeakRecord) => insertOnce(cols.leaks, `report:${reportId}`, { kind: 'report', ...record }),

    /** Claims the right to act on a key's leak; only the first report of a key wins it. */
    claimFirst: (record: LeakRecord) => insertOnce(cols.leaks, `first:${record.keyId}`, { kind: 'first', ...record }),

    /** Whether the handling of a key's first report was completed (a crash part-way leaves it to the next report). */
    async firstHandled(keyId: string): Promise<boolean> {
      const doc = await cols.leaks.findOne({ _id: `first:${keyId}` }, { projection: { handledAt: 1 } });
      return Boolean(doc?.handledAt);
    },

    async markFirstHandled(keyId: string, at: Date): Promise<void> {
      await cols.leaks.updateOne({ _id: `first:${keyId}` }, { $set: { handledAt: at } });
    },

    /** What the first report's handler did (only the claim's winner writes this). */
    async setAction(reportId: string, action: LeakEntry['action'], actionId: string | null): Promise<void> {
      await cols.leaks.updateOne({ _id: `report:${reportId}` }, { $set: { action, actionId } });
    },

    /** The reports of these keys, newest first (rows and the detail panel). */
    async reportsOf(teamId: string, keyIds: string[]): Promise<(LeakEntry & { keyId: string })[]> {
      if (keyIds.length === 0) return [];
      const docs = await cols.leaks.find({ teamId, kind: 'report', keyId: { $in: keyIds } }).toArray();
      return docs.sort((a, b) => b.at.getTime() - a.at.getTime()).map(toEntry);
    },
  };
}
export type LeaksRepo = ReturnType<typeof leaksRepo>;
