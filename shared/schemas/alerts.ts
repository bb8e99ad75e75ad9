import { z } from 'zod';
import { NotificationSchema } from './notification';

/** Badge colours the extension paints (Chrome's own red and amber; grey when there is no count). */
export const BADGE_RED = '#d93025';
export const BADGE_AMBER = '#f9ab00';
export const BADGE_GREY = '#5f6368';

/** Pass the `etag` of the last summary: an unchanged one comes back as `{ unchanged: true, etag }`. */
export const AlertsSummaryInput = z.object({ etag: z.string().max(128).optional() }).optional();

/** The toolbar badge exactly as the extension paints it: count, colour and tooltip. */
export const BadgeSchema = z.object({ text: z.string(), color: z.string(), title: z.string() });
export type Badge = z.infer<typeof BadgeSchema>;

export const AlertsSummarySchema = z.object({
  unchanged: z.literal(false),
  revokedUnread: z.number(),
  expiringSoon: z.number(),
  /** Admins: key requests waiting in the teams they administer (0 for members). */
  pendingRequests: z.number(),
  /** Unread lifecycle notices that ask something of the reader (idle warnings, rotations, request answers), by key. */
  needsAttention: z.number(),
  /** Open invitations to teams the caller is not in yet, waiting for their answer. */
  pendingInvitations: z.number(),
  /** Canaries (trap keys) whose unread alarm says someone used them; not counted as revocations. */
  canaryAlarms: z.number(),
  items: z.array(NotificationSchema),
  badge: BadgeSchema,
  etag: z.string(),
});
export type AlertsSummary = z.infer<typeof AlertsSummarySchema>;

export const AlertsUnchangedSchema = z.object({ unchanged: z.literal(true), etag: z.string() });
/** `alerts.summary`: a fresh summary, or `{ unchanged: true, etag }` when the caller's etag still holds. */
export const AlertsSummaryResultSchema = z.discriminatedUnion('unchanged', [AlertsSummarySchema, AlertsUnchangedSchema]);
export type AlertsSummaryResult = z.infer<typeof AlertsSummaryResultSchema>;

/**
 * The push channel (`GET /v1/alerts/ws`, WebSocket). The client's first
 * message authenticates; afterwards the server only says "summary changed"
 * and the client fetches `alerts.summary` (the poll stays the fallback).
 */
export const PushClientMessageSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('auth'), token: z.string().min(1).max(200) }),
  z.object({ type: z.literal('ping') }),
]);
export type PushClientMessage = z.infer<typeof PushClientMessageSchema>;

export type PushServerMessage =
  | { type: 'ready' }
  | { type: 'changed'; at: string }
  | { type: 'ping' }
  | { type: 'pong' }
  | { type: 'error'; code: 'UNAUTHORIZED' | 'BAD_MESSAGE'; message: string };
