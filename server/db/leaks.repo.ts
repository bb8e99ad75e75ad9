import type { LeakEntry, LeakSource } from '../../shared/schemas/leak';
import type { Collections } from './collections';
import { insertOnce } from './insert-once';

/**
 * One report of one key (source + URL), `_id` `report:<hash>`, inserted once so
 * the same report sent twice is kept once. (Documents of kind `first` were
 * written by earlier versions; migrate.ts folds them into the key's `leak`.)
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
  /** On a legacy `first:` document: when its handling was complete. */
  handledAt?: Date | null;
}

export type LeakRecord = Omit<LeakDoc, '_id' | 'kind' | 'handledAt'>;

export function leaksRepo(cols: Collections) {
  const toEntry = (d: LeakDoc): LeakEntry & { keyId: string } => ({ keyId: d.keyId, source: d.source, url: d.url, at: d.at, action: d.action });

  return {
    /** Keeps one report; false when the same report (`reportId`) was already kept. */
    recordReport: (reportId: string, record: LeakRecord) => insertOnce(cols.leaks, `report:${reportId}`, { kind: 'report', ...record }),

    /**
     * Whether this report must handle the key's leak (act, audit, notify): it is
     * the key's first report (one conditional update sets the key's `leak`), or
     * the first one's handling never finished (a crash leaves `handledAt` null).
     */
    async claimHandling(teamId: string, keyId: string, at: Date): Promise<boolean> {
      const res = await cols.keys.updateOne({ teamId, id: keyId, leak: null }, { $set: { leak: { firstAt: at, handledAt: null } } });
      if (res.modifiedCount === 1) return true;
      const doc = await cols.keys.findOne({ teamId, id: keyId }, { projection: { _id: 0, leak: 1 } });
      return !doc?.leak?.handledAt;
    },

    async markHandled(teamId: string, keyId: string, at: Date): Promise<void> {
      await cols.keys.updateOne({ teamId, id: keyId, 'leak.handledAt': null }, { $set: { 'leak.handledAt': at } });
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
