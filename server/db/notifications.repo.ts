import type { Filter } from 'mongodb';
import type { Collections, NotificationDoc } from './collections';

export type NotificationRecord = Omit<NotificationDoc, '_id'> & { id: string };

const toRecord = ({ _id, ...rest }: NotificationDoc): NotificationRecord => ({ id: _id, ...rest });

export function notificationsRepo(cols: Collections) {
  return {
    /** Idempotent on `id`: returns whether this call created the notice. */
    async insertOnce(notice: NotificationRecord): Promise<boolean> {
      const { id, ...rest } = notice;
      try {
        const res = await cols.notifications.updateOne({ _id: id }, { $setOnInsert: rest }, { upsert: true });
        return res.upsertedCount === 1;
      } catch (err) {
        // Two writers upserting the same new notice: the loser gets a unique-key error (generic on FerretDB).
        if (await cols.notifications.countDocuments({ _id: id }, { limit: 1 })) return false;
        throw err;
      }
    },

    /** Newest first, keyset-paginated on (createdAt, _id); only the user's own notices. */
    async listForUser(
      userId: string,
      opts: { teamId?: string; unreadOnly?: boolean; after: { createdAt: Date; id: string } | null; limit: number },
    ): Promise<NotificationRecord[]> {
      const filter: Filter<NotificationDoc> = { userId };
      if (opts.teamId) filter.teamId = opts.teamId;
      if (opts.unreadOnly) filter.readAt = null;
      if (opts.after) filter.$or = [{ createdAt: { $lt: opts.after.createdAt } }, { createdAt: opts.after.createdAt, _id: { $lt: opts.after.id } }];
      const docs = await cols.notifications.find(filter).sort({ createdAt: -1, _id: -1 }).limit(opts.limit).toArray();
      return docs.map(toRecord);
    },

    /** Scoped by `userId`, so nobody can mark someone else's notice. */
    async markRead(userId: string, ids: string[] | 'all', at: Date): Promise<number> {
      const filter: Filter<NotificationDoc> = { userId, readAt: null };
      if (ids !== 'all') filter._id = { $in: ids };
      const res = await cols.notifications.updateMany(filter, { $set: { readAt: at } });
      return res.modifiedCount;
    },

    /** What the badge's red count needs: the unread notices' ids and the keys they report as dead. */
    async unreadOf(userId: string): Promise<{ id: string; revokedKeyIds: string[] }[]> {
      const docs = await cols.notifications.find({ userId, readAt: null }, { projection: { _id: 1, revokedKeyIds: 1 } }).toArray();
      return docs.map((d) => ({ id: d._id, revokedKeyIds: d.revokedKeyIds ?? [] }));
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
