import { z } from 'zod';
import { CursorSchema, PublicIdSchema, TeamIdSchema } from './common';

/** `key_used_after_revoke` goes to admins: keys of their team that no longer work were still tried (once a day at most). */
export const NotificationKindSchema = z.enum(['key_revoked', 'key_disabled', 'key_expiring', 'key_expired', 'policy_changed', 'key_used_after_revoke', 'key_leaked', 'canary_triggered', 'key_rotated', 'key_idle_warning', 'key_idle_disabled', 'key_request_created', 'key_request_approved', 'key_request_denied', 'key_credits_low', 'key_credits_exhausted', 'key_rate_limited', 'token_leaked']);
export type NotificationKind = z.infer<typeof NotificationKindSchema>;

export const NotificationListInput = z.object({
  teamId: TeamIdSchema.optional(),
  unreadOnly: z.boolean().optional(),
  cursor: CursorSchema,
  limit: z.number().int().min(1).max(100).default(30),
});

export const MarkReadInput = z.union([
  z.object({ ids: z.array(PublicIdSchema).min(1).max(500) }),
  z.object({ all: z.literal(true) }),
]);

export const NotificationKeySchema = z.object({
  id: z.string(),
  name: z.string(),
  hint: z.string(),
  expiresAt: z.date().nullable(),
});

/**
 * One in-app notice, as the API returns it. `revokedKeyIds` are the listed keys that no longer work.
 * The server words it: `message` is its one line, `label` the tag naming its kind, `desktopTitle`
 * the title of the desktop notification it raises (null: it raises none). Clients show them as given.
 */
export const NotificationSchema = z.object({
  id: z.string(),
  teamId: z.string(),
  teamName: z.string(),
  kind: NotificationKindSchema,
  keys: z.array(NotificationKeySchema),
  revokedKeyIds: z.array(z.string()),
  actor: z.object({ userId: z.string().nullable(), email: z.string().nullable() }).nullable(),
  reason: z.string().nullable(),
  /** For key_expiring: the threshold (in days) this warning is for. */
  thresholdDays: z.number().nullable(),
  message: z.string(),
  label: z.string(),
  desktopTitle: z.string().nullable(),
  createdAt: z.date(),
  readAt: z.date().nullable(),
});
export type Notification = z.infer<typeof NotificationSchema>;

/** A page of `notifications.list`, newest first; `nextCursor` null on the last page. */
export const NotificationPageSchema = z.object({ items: z.array(NotificationSchema), nextCursor: z.string().nullable() });
export type NotificationPage = z.infer<typeof NotificationPageSchema>;

/** `notifications.markRead`: how many of the caller's unread notices it marked. */
export const MarkReadResultSchema = z.object({ updated: z.number() });
export type MarkReadResult = z.infer<typeof MarkReadResultSchema>;
