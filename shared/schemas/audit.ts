import { z } from 'zod';
import { CursorSchema, RoleSchema, TeamIdSchema } from './common';

export const AuditActionSchema = z.enum([
  'auth.sign_in',
  'key.created',
  'key.revoked',
  'key.disabled',
  'key.enabled',
  'settings.updated',
  'policy.applied',
  'member.added',
  'member.removed',
  'member.role_changed',
  'member.invited',
  'member.joined',
  'invitation.declined',
  'invitation.cancelled',
  'outbox.failed',
  'webhook.created',
  'webhook.updated',
  'webhook.deleted',
  'webhook.secret_rotated',
  'webhook.disabled',
  'key.leaked',
  'canary.triggered',
  'key.rotated',
  'key_request.created',
  'key_request.approved',
  'key_request.denied',
  'token.created',
  'token.revoked',
  'token.leaked',
  'key.updated',
  'role.updated',
  'role.deleted',
  'identity.updated',
]);
export type AuditAction = z.infer<typeof AuditActionSchema>;

/** One audit record as admins read it. `action` is kept a string: records outlive the enum. */
export const AuditItemSchema = z.object({
  id: z.string(),
  at: z.date(),
  /** Something done with a team API token also names the token: `tokenId`, its `name`, and `createdBy` (a user id). */
  actor: z.object({
    userId: z.string().nullable(),
    email: z.string().nullable(),
    role: RoleSchema.nullable(),
    tokenId: z.string().optional(),
    name: z.string().optional(),
    createdBy: z.string().optional(),
  }),
  action: z.string(),
  targets: z.object({ ids: z.array(z.string()), count: z.number() }),
  details: z.record(z.string(), z.unknown()).nullable(),
  ip: z.string().nullable(),
  userAgent: z.string().nullable(),
});
export const AuditPageSchema = z.object({ items: z.array(AuditItemSchema), nextCursor: z.string().nullable() });

export const AuditListInput = z.object({ teamId: TeamIdSchema, cursor: CursorSchema, limit: z.number().int().min(1).max(200).default(50) });
