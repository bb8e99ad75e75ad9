import { z } from 'zod';
import { CursorSchema, TeamIdSchema } from './common';

export const OutboxStateSchema = z.enum(['pending', 'sent', 'failed']);
export type OutboxState = z.infer<typeof OutboxStateSchema>;

/** Admins see their team's outgoing email, e.g. to find messages that failed for good. */
export const AdminOutboxInput = z.object({
  teamId: TeamIdSchema,
  state: OutboxStateSchema.optional(),
  cursor: CursorSchema,
  limit: z.number().int().min(1).max(200).default(50),
});

export const OutboxItemSchema = z.object({
  id: z.string(),
  to: z.string(),
  subject: z.string(),
  state: OutboxStateSchema,
  attempts: z.number(),
  nextAttemptAt: z.date(),
  lastError: z.string().nullable(),
  createdAt: z.date(),
  sentAt: z.date().nullable(),
});
export type OutboxItem = z.infer<typeof OutboxItemSchema>;

/** A page of `admin.outbox`; `nextCursor` null on the last page. */
export const OutboxPageSchema = z.object({ items: z.array(OutboxItemSchema), nextCursor: z.string().nullable() });
export type OutboxPage = z.infer<typeof OutboxPageSchema>;
