import type { Notification } from '../../shared/schemas/notification';
import { keyNoticeHeadline } from '../../server/mail/templates/in-app-notice';
import { toNotification } from '../../server/services/notifications.service';

/** The reader of every notice built here; an actor with this id is "you". */
export const ME = 'usr_me';

type NoticeFields = Omit<Notification, 'message' | 'label' | 'desktopTitle'>;

/**
 * A notice as the server hands it to the extension: the fields given, worded by the server's own
 * templates (message, label, desktop title), so extension tests show exactly what users see.
 */
export function wordedNotice(fields: NoticeFields): Notification {
  const message = keyNoticeHeadline({
    kind: fields.kind,
    teamName: fields.teamName,
    keys: fields.keys.map((k) => ({ ...k, revoked: fields.revokedKeyIds.includes(k.id) })),
    actorEmail: fields.actor?.email ?? null,
    actorIsOwner: fields.actor?.userId === ME,
    reason: fields.reason,
    at: fields.createdAt,
    thresholdDays: fields.thresholdDays,
    publicUrl: 'https://keywarden.example.test',
  });
  return toNotification({ ...fields, userId: ME, message });
}
