import { z } from 'zod';
import { PublicIdSchema } from './common';

/**
 * The change feed (`GET /v1/teams/{teamId}/keys/changes`): one event per key whose state or policy
 * changed, numbered by a per-team sequence that only ever increases. The SDK follows it to drop
 * cached answers; the REST route, its OpenAPI entry and the SDK's types all read these schemas.
 */
export const KEY_CHANGE_KINDS = ['created', 'revoked', 'disabled', 'enabled', 'updated', 'rotated', 'deleted'] as const;
export const KeyChangeKindSchema = z.enum(KEY_CHANGE_KINDS);
export type KeyChangeKind = z.infer<typeof KeyChangeKindSchema>;

export const KeyChangeEventSchema = z.object({
  seq: z.number().int().positive(),
  keyId: PublicIdSchema,
  kind: KeyChangeKindSchema,
  at: z.iso.datetime(),
});
export type KeyChangeEvent = z.infer<typeof KeyChangeEventSchema>;

/** Events are kept this long; a reader further behind answers 410 and must drop what it cached. */
export const KEY_CHANGE_RETENTION_DAYS = 7;
export const KEY_CHANGE_MAX_WAIT_SECONDS = 30;

/** `after` omitted: start at the head (no past events, `next` is where to continue). */
export const KeyChangesQuerySchema = z.object({
  after: z.coerce.number({ error: '"after" must be a number' }).int('"after" must be a whole number').min(0, '"after" must be 0 or more').optional(),
  waitSeconds: z.coerce
    .number({ error: '"waitSeconds" must be a number' })
    .int('"waitSeconds" must be a whole number')
    .min(0, '"waitSeconds" must be 0 to 30')
    .max(KEY_CHANGE_MAX_WAIT_SECONDS, '"waitSeconds" must be 0 to 30')
    .default(0),
});
export type KeyChangesQuery = z.infer<typeof KeyChangesQuerySchema>;

/** `next` is the `after` of the following call (the last sequence number this answer covers). */
export const KeyChangesPageSchema = z.object({ events: z.array(KeyChangeEventSchema), next: z.number().int().min(0) });
export type KeyChangesPage = z.infer<typeof KeyChangesPageSchema>;
