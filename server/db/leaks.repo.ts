import type { LeakEntry, LeakSource } from '../../shared/schemas/leak';
import type { Collections } from './collections';

/**
 * Leak records. Two kinds of document, both inserted once by a derived `_id`
 * (FerretDB v1 has no transactions and no atomic conditional update, so an
 * insert that only one writer can win is the way to decide "first"):
 * - `report:<hash>`: one report of one key (source + URL), so the same report
 *   sent twice is kept once;
 * - `first:<keyId>`: the first report of a key, whose writer alone acts on it
 *   (revoke, disable, notify): a key reported twice is handled once.
 */
export interface LeakDoc {
  _id: string;
  kind: 'report' | 'first';
  keyId: string;
  teamId: string;
  ownerId: string;
  source: LeakSource;
  url: string | null;
  note: string | null;
  at: Date;
  action: LeakEntry['action'];
  actionId: string | null;
  ip: string | null;
  userAgent: string | null;
}

export type LeakRecord = Omit<LeakDoc, '_id' | 'kind'>;

export function leaksRepo(cols: Collections) {
  /** Whether this call inserted the document; false when one with its `_id` was already there. */
  async function insertOnce(doc: LeakDoc): Promise<boolean> {
    try {
      await cols.leaks.insertOne(doc);
      return true;
    } catch (err) {
      // A duplicate `_id` (code 11000 on MongoDB, a generic error on FerretDB): the document exists.
      if (await cols.leaks.countDocuments({ _id: doc._id }, { limit: 1 })) return false;
      throw err;
    }
  }

  const toEntry = (d: LeakDoc): LeakEntry & { keyId: string } => ({ keyId: d.keyId, source: d.source, url: d.url, at: d.at, action: d.action });

  return {
    /** Keeps one report; false when the same report (`reportId`) was already kept. */
    recordReport: (reportId: string, record: LeakRecord) => insertOnce({ _id: `report:${reportId}`, kind: 'report', ...record }),

    /** Claims the right to act on a key's leak; only the first report of a key wins it. */
    claimFirst: (record: LeakRecord) => insertOnce({ _id: `first:${record.keyId}`, kind: 'first', ...record }),

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
