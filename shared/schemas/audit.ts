import { z } from 'zod';
import { CursorSchema, TeamIdSchema } from './common';

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
]);
export type AuditAction = z.infer<typeof AuditActionSchema>;

export const AuditListInput = z.object({ teamId: TeamIdSchema, cursor: CursorSchema, limit: z.number().int().min(1).max(200).default(50) });
