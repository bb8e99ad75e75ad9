import { z } from 'zod';
import { CursorSchema, PublicIdSchema, TeamIdSchema } from './common';

export const NotificationKindSchema = z.enum(['key_revoked', 'key_disabled', 'key_expiring', 'key_expired', 'policy_changed']);
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
