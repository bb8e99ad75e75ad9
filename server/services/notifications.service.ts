import type { Notification } from '../../shared/schemas/notification';
import type { NotificationRecord, NotificationsRepo } from '../db/notifications.repo';
import type { TeamsRepo } from '../db/teams.repo';
import type { Deps } from '../deps';
import { notFound } from '../errors';
import { decodeCursor, encodeCursor } from '../lib/cursor';
import type { AlertsBus } from './alerts-bus';

type NoticeCursor = { c: number; i: string };
const isNoticeCursor = (v: any): v is NoticeCursor => typeof v?.c === 'number' && typeof v?.i === 'string';

/** Nulls are filled in explicitly: FerretDB may store an upserted `null` field as absent. */
export function toNotification(n: NotificationRecord): Notification {
  return {
    id: n.id,
    teamId: n.teamId,
    teamName: n.teamName,
    kind: n.kind,
    keys: n.keys.map((k) => ({ id: k.id, name: k.name, hint: k.hint, expiresAt: k.expiresAt ?? null })),
    revokedKeyIds: n.revokedKeyIds ?? [],
    actor: n.actor ?? null,
    reason: n.reason ?? null,
    thresholdDays: n.thresholdDays ?? null,
    message: n.message,
    createdAt: n.createdAt,
    readAt: n.readAt ?? null,
  };
}

/** A user's own in-app notices: every query is scoped by the caller's user id. */
export function notificationsService(deps: Deps, repos: { notifications: NotificationsRepo; teams: TeamsRepo }, bus: AlertsBus) {
  return {
    async list(userId: string, input: { teamId?: string; unreadOnly?: boolean; cursor?: string; limit: number }): Promise<{ items: Notification[]; nextCursor: string | null }> {
      // A team the caller is not in behaves exactly like a team that does not exist.
      if (input.teamId && !(await repos.teams.findMembership(input.teamId, userId))) throw notFound('Team not found.');
      const after = decodeCursor(input.cursor, isNoticeCursor);
      const page = await repos.notifications.listForUser(userId, {
        teamId: input.teamId,
        unreadOnly: input.unreadOnly,
        after: after ? { createdAt: new Date(after.c), id: after.i } : null,
        limit: input.limit + 1,
      });
      const last = page.length > input.limit ? page[input.limit - 1]! : null;
      return { items: page.slice(0, input.limit).map(toNotification), nextCursor: last ? encodeCursor({ c: last.createdAt.getTime(), i: last.id }) : null };
    },

    /** Ids that are not the caller's (or not unread) are simply not counted. */
    async markRead(userId: string, input: { ids: string[] } | { all: true }): Promise<{ updated: number }> {
      const updated = await repos.notifications.markRead(userId, 'all' in input ? 'all' : input.ids, deps.now());
      if (updated > 0) await bus.emit(userId);
      return { updated };
    },
  };
}
export type NotificationsService = ReturnType<typeof notificationsService>;
