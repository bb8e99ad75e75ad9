import type { NotificationRecord, NotificationsRepo } from '../db/notifications.repo';
import type { AlertsBus } from './alerts-bus';
import type { OutboxService } from './outbox.service';

/** One notice for one reader: the in-app row and, if it has one, its email (sent under the notice's id). */
export interface NoticeDelivery {
  notice: NotificationRecord;
  mail: { to: string; subject: string; text: string; html: string } | null;
}

/**
 * The one way a notice is published, whoever words it (key notices, leak
 * alarms, "used after revoke"): write the in-app row, tell the reader's
 * badge, queue the email. Every step is idempotent on the notice's id, so a
 * retried cause re-publishes the same notice and the same email, never a
 * second one; and every step runs even when the row was already there, since
 * the first attempt may have died between them.
 */
export function noticePublisher(repos: { notifications: NotificationsRepo }, outbox: Pick<OutboxService, 'enqueue' | 'kick'>, bus: AlertsBus) {
  return async function publishNotices(deliveries: NoticeDelivery[]): Promise<void> {
    let mailed = false;
    for (const { notice, mail } of deliveries) {
      const created = await repos.notifications.insertOnce(notice);
      await bus.emit(notice.userId);
      if (!mail) continue;
      await outbox.enqueue({ id: notice.id, teamId: notice.teamId, userId: notice.userId, ...mail, createdAt: notice.createdAt });
      if (created) mailed = true;
    }
    if (mailed) outbox.kick();
  };
}
export type PublishNotices = ReturnType<typeof noticePublisher>;
