import { IDLE_DAYS } from '../idle';
import { z } from 'zod';
import { NameTextSchema, PublicIdSchema, TeamIdSchema } from './common';
import { KeyNameSchema } from './key';

/**
 * The key lifecycle past create / revoke: rotation with a grace period, the
 * idle-key policy, and key requests that an admin approves.
 */

/** Rotation: how long the previous key keeps working. 0 revokes it at once; Stripe's longest roll is 7 days. */
export const MAX_GRACE_HOURS = 168;
export const DEFAULT_GRACE_HOURS = 24;
/** The short list the extension offers (now, 1 h, 24 h, 7 days). */
export const GRACE_CHOICES = [0, 1, 24, 168] as const;

/** `reason` of the second `key_rotated` notice: the previous key is still used in its last hour of grace. */
export const GRACE_ENDING = 'grace_ending';

export const RotateKeyInput = z.object({
  teamId: TeamIdSchema,
  keyId: PublicIdSchema,
  graceHours: z.number().int('graceHours must be a whole number').min(0).max(MAX_GRACE_HOURS, `graceHours is at most ${MAX_GRACE_HOURS} (7 days)`).default(DEFAULT_GRACE_HOURS),
});

/** Idle policy: null turns it off. */
export const IdleDisableDaysSchema = z.number().int('a whole number of days').min(IDLE_DAYS, `at least ${IDLE_DAYS} days`).max(365, 'at most 365 days').nullable();
export const IdleWarningDaysSchema = z.number().int('a whole number of days').min(1).max(60, 'at most 60 days');
export const DEFAULT_IDLE_WARNING_DAYS = 7;

export const PreviewIdlePolicyInput = z.object({
  teamId: TeamIdSchema,
  idleDisableDays: IdleDisableDaysSchema,
  /** Defaults to the team's saved value. */
  idleWarningDays: IdleWarningDaysSchema.optional(),
});

/** What saving an idle policy would do on the next pass: keys disabled at once, keys warned. */
export const IdlePreviewSchema = z.object({
  disableNow: z.number(),
  warn: z.number(),
  byOwner: z.array(z.object({ userId: z.string(), email: z.string(), disableNow: z.number(), warn: z.number() })),
});
export type IdlePreview = z.infer<typeof IdlePreviewSchema>;

/** Key requests. */
export const KeyRequestStateSchema = z.enum(['pending', 'approved', 'denied']);
export type KeyRequestState = z.infer<typeof KeyRequestStateSchema>;
/** An approval is a one-time grant, usable for this long. */
export const GRANT_VALID_DAYS = 7;

const RequestReasonSchema = NameTextSchema.trim().min(1, 'say why you need the key').max(500, 'a reason is at most 500 characters');
const RequestDaysSchema = z.number().int('expiresInDays must be a whole number').min(1).max(3650);

export const CreateKeyRequestInput = z.object({
  teamId: TeamIdSchema,
  // The name of the key it asks for: the same rules as a key's.
  name: KeyNameSchema,
  reason: RequestReasonSchema,
  expiresInDays: RequestDaysSchema.optional(),
});
export const ListKeyRequestsInput = z.object({ teamId: TeamIdSchema, state: KeyRequestStateSchema.optional() });
export const MyKeyRequestsInput = z.object({ teamId: TeamIdSchema });
export const ApproveKeyRequestInput = z.object({ teamId: TeamIdSchema, requestId: PublicIdSchema, expiresInDays: RequestDaysSchema.optional() });
export const DenyKeyRequestInput = z.object({
  teamId: TeamIdSchema,
  requestId: PublicIdSchema,
  note: NameTextSchema.trim().max(500, 'a note is at most 500 characters').optional(),
});

export const KeyRequestSchema = z.object({
  id: z.string(),
  teamId: z.string(),
  requester: z.object({ userId: z.string(), email: z.string() }),
  name: z.string(),
  reason: z.string(),
  expiresInDays: z.number().nullable(),
  state: KeyRequestStateSchema,
  createdAt: z.date(),
  decidedAt: z.date().nullable(),
  decidedBy: z.object({ userId: z.string().nullable(), email: z.string().nullable() }).nullable(),
  note: z.string().nullable(),
  /** Approved: the grant can be used until then (once). */
  grantExpiresAt: z.date().nullable(),
  /** The key made with the grant, once it was used. */
  keyId: z.string().nullable(),
});
export type KeyRequest = z.infer<typeof KeyRequestSchema>;
export const KeyRequestListSchema = z.array(KeyRequestSchema);
