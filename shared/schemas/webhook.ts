import { z } from 'zod';
import { CursorSchema, NameTextSchema, PublicIdSchema, TeamIdSchema } from './common';

/** The events an endpoint may subscribe to; `ping` is only ever sent by `webhooks.test`. */
export const WEBHOOK_EVENTS = [
  'key.created',
  'key.revoked',
  'key.disabled',
  'key.enabled',
  'key.expiring',
  'key.expired',
  'key.rotated',
  'key.updated',
  'key.leaked',
  'canary.triggered',
  'settings.updated',
  'member.added',
  'member.removed',
  'key.credits_low',
  'key.credits_exhausted',
  'key.rate_limited',
  'token.leaked',
] as const;
export const WebhookEventSchema = z.enum(WEBHOOK_EVENTS);
export type WebhookEvent = z.infer<typeof WebhookEventSchema> | 'ping';

/** `standard`: the signed Standard Webhooks JSON event. `slack`: a readable Slack incoming-webhook message. */
export const WebhookFormatSchema = z.enum(['standard', 'slack']);
export type WebhookFormat = z.infer<typeof WebhookFormatSchema>;

/** Only the shape is checked here; the scheme and the address rules need the server's settings and DNS. */
const WebhookUrlSchema = z.string().trim().min(1, 'enter the URL').max(2048, 'URL is too long').pipe(z.url('not a valid URL'));
const EventsSchema = z.array(WebhookEventSchema).min(1, 'choose at least one event').max(WEBHOOK_EVENTS.length);
const DescriptionSchema = NameTextSchema.pipe(z.string().trim().max(200, 'at most 200 characters'));
const EndpointInput = z.object({ teamId: TeamIdSchema, endpointId: PublicIdSchema });

export const WebhookListInput = z.object({ teamId: TeamIdSchema });
export const WebhookCreateInput = z.object({
  teamId: TeamIdSchema,
  url: WebhookUrlSchema,
  events: EventsSchema,
  description: DescriptionSchema.optional(),
  format: WebhookFormatSchema.default('standard'),
});
export const WebhookUpdateInput = EndpointInput.extend({
  url: WebhookUrlSchema.optional(),
  events: EventsSchema.optional(),
  enabled: z.boolean().optional(),
  description: DescriptionSchema.optional(),
  format: WebhookFormatSchema.optional(),
});
export const WebhookEndpointInput = EndpointInput;
export const WebhookDeliveriesInput = EndpointInput.extend({ cursor: CursorSchema, limit: z.number().int().min(1).max(100).default(50) });

export const WebhookEndpointSchema = z.object({
  id: z.string(),
  url: z.string(),
  description: z.string().nullable(),
  events: z.array(WebhookEventSchema),
  format: WebhookFormatSchema,
  enabled: z.boolean(),
  /** Set when Keywarden turned the endpoint off itself (it failed every delivery for 24 h). */
  disabledReason: z.enum(['failing', 'token_leaked']).nullable(),
  failingSince: z.date().nullable(),
  /** Until then the previous secret signs too (after `rotateSecret`). */
  previousSecretUntil: z.date().nullable(),
  createdAt: z.date(),
  updatedAt: z.date(),
});
export type WebhookEndpoint = z.infer<typeof WebhookEndpointSchema>;
export const WebhookEndpointListSchema = z.array(WebhookEndpointSchema);

/** One attempt to deliver one event to one endpoint. */
export const WebhookDeliverySchema = z.object({
  id: z.string(),
  /** The `webhook-id` header: the same on every attempt of the event. */
  eventId: z.string(),
  event: z.string(),
  attempt: z.number(),
  at: z.date(),
  statusCode: z.number().nullable(),
  durationMs: z.number(),
  error: z.string().nullable(),
  /** When the next attempt is due; null once delivered or given up. */
  nextRetryAt: z.date().nullable(),
  outcome: z.enum(['delivered', 'retrying', 'failed']),
});
export type WebhookDelivery = z.infer<typeof WebhookDeliverySchema>;

/** `webhooks.create` and `rotateSecret`: the signing secret is shown this once (only a sealed copy is stored). */
export const WebhookWithSecretSchema = z.object({ endpoint: WebhookEndpointSchema, secret: z.string() });
export type WebhookWithSecret = z.infer<typeof WebhookWithSecretSchema>;

export const WebhookDeletedSchema = z.object({ deleted: z.literal(true) });
export type WebhookDeleted = z.infer<typeof WebhookDeletedSchema>;
/** `webhooks.test`: the ping's event id, to find its delivery. */
export const WebhookTestResultSchema = z.object({ eventId: z.string() });
export type WebhookTestResult = z.infer<typeof WebhookTestResultSchema>;
/** A page of `webhooks.deliveries`, newest first; `nextCursor` null on the last page. */
export const WebhookDeliveryPageSchema = z.object({ items: z.array(WebhookDeliverySchema), nextCursor: z.string().nullable() });
export type WebhookDeliveryPage = z.infer<typeof WebhookDeliveryPageSchema>;
