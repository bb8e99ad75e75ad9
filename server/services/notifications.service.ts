import type { MarkReadResult, Notification, NotificationPage } from '../../shared/schemas/notification';
import type { NotificationRecord, NotificationsRepo } from '../db/notifications.repo';
import type { TeamsRepo } from '../db/teams.repo';
import type { Deps } from '../deps';
import { notFound } from '../errors';
import { keysetPage, positionCursor } from '../lib/pagination';
import { desktopTitle, NOTICE_LABELS } from '../mail/templates/in-app-notice';
import type { AlertsBus } from './alerts-bus';

/** A notice as the API shows it: only the listed fields (the record also names its user), with its tag and desktop title. */
export function toNotification(n: NotificationRecord): Notification {
  return {
    id: n.id,
    teamId: n.teamId,
    teamName: n.teamName,
    kind: n.kind,
    keys: n.keys.map((k) => ({ id: k.id, name: k.name, hint: k.hint, expiresAt: k.expiresAt })),
    revokedKeyIds: n.revokedKeyIds,
    actor: n.actor,
    reason: n.reason,
    thresholdDays: n.thresholdDays,
    message: n.message,
    label: NOTICE_LABELS[n.kind],
    desktopTitle: desktopTitle({ kind: n.kind, reason: n.reason, keyCount: n.keys.length }),
    createdAt: n.createdAt,
    readAt: n.readAt,
  };
}

/** A user's own in-app notices: every query is scoped by the caller's user id. */
export function notificationsService(deps: Deps, repos: { notifications: NotificationsRepo; teams: TeamsRepo }, bus: AlertsBus) {
  return {
    async list(userId: string, input: { teamId?: string; unreadOnly?: boolean; cursor?: string; limit: number }): Promise<NotificationPage> {
      // A team the caller is not in behaves exactly like a team that does not exist.
      if (input.teamId && !(await repos.teams.findMembership(input.teamId, userId))) throw notFound('Team not found.');
      const rows = await repos.notifications.listForUser(userId, {
        teamId: input.teamId,
        unreadOnly: input.unreadOnly,
        after: positionCursor.created.decode(input.cursor),
        limit: input.limit + 1,
      });
      const page = keysetPage(rows, input.limit, (n) => positionCursor.created.encode({ at: n.createdAt, id: n.id }));
      return { items: page.rows.map(toNotification), nextCursor: page.nextCursor };
    },

    /** Ids that are not the caller's (or not unread) are simply not counted. */
    async markRead(userId: string, input: { ids: string[] } | { all: true }): Promise<MarkReadResult> {
      const updated = await repos.notifications.markRead(userId, 'all' in input ? 'all' : input.ids, deps.now());
      if (updated > 0) await bus.emit(userId);
      return { updated };
    },
  };
}
export type NotificationsService = ReturnType<typeof notificationsService>;
