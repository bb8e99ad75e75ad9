import type { Filter } from 'mongodb';
import type { Collections, NotificationDoc } from './collections';
import type { Position } from '../lib/pagination';
import { newestFirst } from './keyset';
import { insertOnce } from './insert-once';

export type NotificationRecord = Omit<NotificationDoc, '_id'> & { id: string };

/** Nulls are filled in here: FerretDB may store an upserted `null` field as absent (server/db/README.md). */
const toRecord = ({ _id, ...n }: NotificationDoc): NotificationRecord => ({
  id: _id,
  ...n,
  keys: n.keys.map((k) => ({ ...k, expiresAt: k.expiresAt ?? null })),
  revokedKeyIds: n.revokedKeyIds ?? [],
  actor: n.actor ?? null,
  reason: n.reason ?? null,
  thresholdDays: n.thresholdDays ?? null,
  readAt: n.readAt ?? null,
});

export function notificationsRepo(cols: Collections) {
  return {
    /** Idempotent on `id`: returns whether this call created the notice. */
    async insertOnce(notice: NotificationRecord): Promise<boolean> {
      const { id, ...rest } = notice;
      return insertOnce(cols.notifications, id, rest);
    },

    /** Newest first, keyset-paginated on (createdAt, _id); only the user's own notices. */
    async listForUser(
      userId: string,
      opts: { teamId?: string; unreadOnly?: boolean; after: Position | null; limit: number },
    ): Promise<NotificationRecord[]> {
      const filter: Filter<NotificationDoc> = { userId };
      if (opts.teamId) filter.teamId = opts.teamId;
      if (opts.unreadOnly) filter.readAt = null;
      const page = newestFirst('createdAt', '_id', opts.after);
      const docs = await cols.notifications.find({ ...filter, ...page.filter }).sort(page.sort).limit(opts.limit).toArray();
      return docs.map(toRecord);
    },

    /** Scoped by `userId`, so nobody can mark someone else's notice. */
    async markRead(userId: string, ids: string[] | 'all', at: Date): Promise<number> {
      const filter: Filter<NotificationDoc> = { userId, readAt: null };
      if (ids !== 'all') filter._id = { $in: ids };
      const res = await cols.notifications.updateMany(filter, { $set: { readAt: at } });
      return res.modifiedCount;
    },

    /**
     * Marks read, for every admin it went to, the "key request" notice of a request that has
     * been answered: it asked for an answer, and one admin gave it.
     */
    async markKeyRequestAnswered(teamId: string, requestId: string, at: Date): Promise<void> {
      await cols.notifications.updateMany({ teamId, kind: 'key_request_created', 'keys.id': requestId, readAt: null }, { $set: { readAt: at } });
    },

    /** What the badge needs: the unread notices' ids and kinds, the keys they list and those they report as dead. */
    async unreadOf(userId: string): Promise<{ id: string; kind: NotificationDoc['kind']; keyIds: string[]; revokedKeyIds: string[] }[]> {
      const docs = await cols.notifications.find({ userId, readAt: null }, { projection: { _id: 1, kind: 1, keys: 1, revokedKeyIds: 1 } }).toArray();
      return docs.map((d) => ({ id: d._id, kind: d.kind, keyIds: (d.keys ?? []).map((k) => k.id), revokedKeyIds: d.revokedKeyIds ?? [] }));
    },

    /** Which of `userIds` got a notice after `since` (push to clients connected to another instance). */
    async usersWithNoticesSince(userIds: string[], since: Date): Promise<string[]> {
      if (userIds.length === 0) return [];
      const docs = await cols.notifications.find({ userId: { $in: userIds }, createdAt: { $gt: since } }, { projection: { userId: 1 } }).toArray();
      return [...new Set(docs.map((d) => d.userId))];
    },
  };
}
export type NotificationsRepo = ReturnType<typeof notificationsRepo>;
