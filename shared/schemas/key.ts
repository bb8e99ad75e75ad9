import { z } from 'zod';
import { LeakEntrySchema } from './leak';
import { CursorSchema, NameTextSchema, PublicIdSchema, RoleSchema, TeamIdSchema, UserIdSchema } from './common';
import { DAY_MS } from '../time';
import { ExternalIdSchema, IdentitySchema, KeyPolicyInput, MetaSchema, PermissionQuerySchema, PermissionsSchema, RestrictionsSchema, RoleNameSchema, RoleNamesSchema, VerifyContextSchema } from './policy';
import { CreditsSchema, CreditsStateSchema, KeyLimitsInput, RatelimitSchema, RatelimitStateSchema, VerifyLimitsRequestSchema } from './limits';

export const KeyStatusSchema = z.enum(['enabled', 'disabled', 'revoked']);
export type KeyStatus = z.infer<typeof KeyStatusSchema>;

export const RevokedReasonSchema = z.enum(['manual', 'bulk', 'revoke_all', 'expired', 'policy', 'owner_removed', 'leaked', 'rotated']);
export type RevokedReason = z.infer<typeof RevokedReasonSchema>;

export const DisabledReasonSchema = z.enum(['manual', 'owner_removed', 'leaked', 'idle']);
export type DisabledReason = z.infer<typeof DisabledReasonSchema>;

/** A key as every API and UI sees it; `status` is the *effective* status (expired => revoked/expired). */
export const KeyRowSchema = z.object({
  id: PublicIdSchema,
  name: z.string(),
  hint: z.string(),
  status: KeyStatusSchema,
  revokedReason: RevokedReasonSchema.nullable(),
  disabledReason: DisabledReasonSchema.nullable(),
  createdAt: z.date(),
  expiresAt: z.date().nullable(),
  revokedAt: z.date().nullable(),
  lastUsedAt: z.date().nullable(),
  generatedBy: z.object({ userId: UserIdSchema, email: z.string(), name: z.string(), role: RoleSchema.nullable() }),
  /** Valid uses in the last 24 hours (this hour and the 23 before) and 7 days (UTC days, today included). */
  usage: z.object({ last24h: z.number(), last7d: z.number() }),
  /** Failed uses since the key was revoked, expired or disabled; 0 for a key that works. See shared/schemas/usage.ts. */
  triedAfterRevoke: z.number(),
  /** Set while this key is the previous key of a rotation: it works until `graceEndsAt`, then is revoked (reason `rotated`). */
  rotation: z.object({ replacedBy: z.string(), graceEndsAt: z.date() }).nullable().optional(),
  /** The key this one replaced by rotation, if any. */
  replaces: z.string().nullable().optional(),
  /** A canary (admins only create and see them): a trap key that never works; its use raises `canary_triggered`. */
  canary: z.literal(true).optional(),
  /** A canary's last alarm: when and from which address it was last used (null: never). */
  canaryFired: z.object({ at: z.date(), ip: z.string().nullable() }).nullable().optional(),
  /** Where and when this key was reported leaked, newest first (absent when it never was). */
  leaks: z.array(LeakEntrySchema).optional(),
  /** The key's policy (issue 24): its own permissions, its team roles, where it may be used from, its meta and identity. */
  permissions: PermissionsSchema,
  roles: RoleNamesSchema,
  restrictions: RestrictionsSchema,
  meta: MetaSchema,
  externalId: ExternalIdSchema.nullable(),
  /** Rate limits and credits (issue 25, shared/schemas/limits.ts); always set by the server. */
  ratelimits: z.array(RatelimitSchema).optional(),
  credits: CreditsSchema.nullable().optional(),
});
export type KeyRow = z.infer<typeof KeyRowSchema>;
export type KeyRowUsage = KeyRow['usage'];

export const KeyNameSchema = NameTextSchema.trim().min(1, 'name is required').max(100, 'name is at most 100 characters');

/** The longest lifetime a key may ask for, as `expiresInDays` or as an `expiresAt` instant. */
export const MAX_KEY_LIFETIME_DAYS = 3650;

/** The raw key value as pasted; format is checked by the key-format module where it matters. */
export const KeyValueSchema = z.string().trim().min(1, 'key is required').max(200, 'key is too long');

export const CreateKeyInput = z
  .object({
    teamId: TeamIdSchema,
    name: KeyNameSchema,
    expiresInDays: z.number().int('expiresInDays must be a whole number').min(1).max(MAX_KEY_LIFETIME_DAYS).optional(),
    expiresAt: z.coerce
      .date()
      .refine((d) => d.getTime() <= Date.now() + MAX_KEY_LIFETIME_DAYS * DAY_MS, `must be at most ${MAX_KEY_LIFETIME_DAYS} days ahead`)
      .optional(),
    /** A canary (admins only): a trap key that never works; its first use raises `canary_triggered`. */
    canary: z.boolean().optional(),
    /** An approved key request (keyRequests.approve): lets a member generate this one key while generation is off. */
    requestId: PublicIdSchema.optional(),
    ...KeyPolicyInput.shape,
    ...KeyLimitsInput.shape,
  })
  .refine((v) => v.expiresInDays === undefined || v.expiresAt === undefined, {
    message: 'give expiresInDays or expiresAt, not both',
    path: ['expiresAt'],
  });

export const KeyIdInput = z.object({ teamId: TeamIdSchema, keyId: PublicIdSchema });

/** keys.update: the policy fields to change (absent: unchanged); answers the updated row. */
export const UpdateKeyInput = KeyIdInput.extend({ ...KeyPolicyInput.shape, ...KeyLimitsInput.shape });

/** Why verify refuses a key by its policy (and what a preview counts). */
export const PolicyRefusalReasonSchema = z.enum(['IP_NOT_ALLOWED', 'ORIGIN_NOT_ALLOWED', 'INSUFFICIENT_PERMISSIONS']);

/**
 * keys.previewRestrictions: the key's recorded verifications of the last `days` replayed against
 * proposed settings (absent: the key's current ones), before they are saved.
 */
export const PreviewRestrictionsInput = KeyIdInput.extend({
  permissions: KeyPolicyInput.shape.permissions,
  roles: KeyPolicyInput.shape.roles,
  restrictions: KeyPolicyInput.shape.restrictions,
  days: z.number().int().min(1).max(90).default(30),
});
/**
 * `total`: recorded verifications that reached the key's policy; `wouldRefuse` of them, by the
 * first reason verify would give; `samples`: the refused combinations, most frequent first;
 * `unrecorded`: verifications past the recording caps (counted in neither).
 */
export const RestrictionsPreviewSchema = z.object({
  days: z.number(),
  total: z.number(),
  wouldRefuse: z.number(),
  byReason: z.object({ IP_NOT_ALLOWED: z.number(), ORIGIN_NOT_ALLOWED: z.number(), INSUFFICIENT_PERMISSIONS: z.number() }),
  samples: z.array(z.object({ ip: z.string().optional(), origin: z.string().optional(), permissions: z.string().optional(), count: z.number() })),
  unrecorded: z.number(),
});
export type RestrictionsPreview = z.infer<typeof RestrictionsPreviewSchema>;
export const KeyIdsInput = z.object({
  teamId: TeamIdSchema,
  keyIds: z.array(PublicIdSchema).min(1, 'choose at least one key').max(1000, 'at most 1000 keys at once'),
});
export const RevokeAllInput = z.object({
  teamId: TeamIdSchema,
  confirm: z.literal('REVOKE ALL', { error: 'type REVOKE ALL to confirm' }),
});
export const FindByValueInput = z.object({ teamId: TeamIdSchema, key: KeyValueSchema });

export const KeySortSchema = z.enum(['newest', 'oldest', 'recently_used']);
export type KeySort = z.infer<typeof KeySortSchema>;

/**
 * The list's filters: the one schema that the list, its counts, "Select all N matching" and the
 * `*Matching` procedures all take, so a filter added here reaches every one of them (or fails the
 * typecheck where one is carried by name). Counts are taken over them without `view`.
 */
export const KeyFilters = z.object({
  teamId: TeamIdSchema,
  view: z.array(KeyStatusSchema).min(1, 'choose at least one of enabled, disabled, revoked').max(3),
  search: z.string().trim().max(200).optional(),
  generatedBy: z.array(UserIdSchema).max(100).optional(),
  /** The "Idle" filter: only keys idle this many days (see shared/idle.ts). */
  idleDays: z.number().int().min(1).max(3650).optional(),
  /** Only keys holding this team role (by name). */
  role: RoleNameSchema.optional(),
  /** Only keys of this identity (externalId). */
  externalId: ExternalIdSchema.optional(),
});
export type KeyFilters = z.infer<typeof KeyFilters>;

export const ListKeysInput = KeyFilters.extend({
  sort: KeySortSchema.default('newest'),
  cursor: CursorSchema,
  limit: z.number().int().min(1).max(100).default(50),
});
export type ListKeysQuery = z.infer<typeof ListKeysInput>;

/**
 * "Select all N matching": the list's filters, exactly as the list took them, and how many keys
 * the admin saw match them. The server resolves the set itself and refuses when its size is no
 * longer `expectedCount`.
 */
export const MAX_MATCHING_KEYS = 10_000;
export const KeysMatchingInput = KeyFilters.extend({
  expectedCount: z.number().int().min(1).max(MAX_MATCHING_KEYS, `at most ${MAX_MATCHING_KEYS} keys at once; narrow the filters or use Revoke All`),
});
export type KeysMatchingQuery = z.infer<typeof KeysMatchingInput>;

export const MyKeysInput = z.object({ teamId: TeamIdSchema, cursor: CursorSchema, limit: z.number().int().min(1).max(100).default(50) });

export const KeyCountsSchema = z.object({ enabled: z.number(), disabled: z.number(), revoked: z.number() });
export type KeyCounts = z.infer<typeof KeyCountsSchema>;

/** A page of keys (keys.mine); `nextCursor` null on the last page. */
export const KeyPageSchema = z.object({ items: z.array(KeyRowSchema), nextCursor: z.string().nullable() });
/** keys.list: a page, and the counts of its filters' keys by status (whatever the view). */
export const KeyListSchema = KeyPageSchema.extend({ counts: KeyCountsSchema });
/** keys.create: the key's value, shown once and never stored, and its row. */
export const CreatedKeySchema = z.object({ key: z.string(), row: KeyRowSchema });
/** keys.rotate: the replacement (value shown once) and the key it replaces, now in its grace. */
export const RotatedKeySchema = CreatedKeySchema.extend({ previous: KeyRowSchema });
/** The whole team's counts, without a page of keys (the admin popup). */
export const KeyCountsInput = z.object({ teamId: TeamIdSchema });

/**
 * What every revoke answers (keys.revoke, revokeMatching, revokeAll, revokeOwn, leaks.revoke), by
 * key id: revoked by this call, already revoked (or expired) before it, asked for but not in the team.
 */
export const RevokeResultSchema = z.object({
  revoked: z.array(z.string()),
  alreadyRevoked: z.array(z.string()),
  notFound: z.array(z.string()),
});
export type RevokeResult = z.infer<typeof RevokeResultSchema>;
/** keys.revokeOwn: the revoke result, and the key's row as it now is. */
export const RevokeOwnResultSchema = RevokeResultSchema.extend({ row: KeyRowSchema });
export type RevokeOwnResult = z.infer<typeof RevokeOwnResultSchema>;

/** What disable and enable answer (and disableMatching), by key id: changed, left as they were, not in the team. */
export const ChangeResultSchema = z.object({
  changed: z.array(z.string()),
  unchanged: z.array(z.string()),
  notFound: z.array(z.string()),
});
export type ChangeResult = z.infer<typeof ChangeResultSchema>;

/**
 * The verify API (plain HTTP): the key, an optional permission query, and the context of the
 * service's own caller (its address and origin) for the key's restrictions; the credits it spends
 * and the named rate limits it applies (issue 25).
 */
export const VerifyRequestSchema = z.object({
  key: z.string({ error: '"key" must be a string' }),
  permissions: PermissionQuerySchema.optional(),
  context: VerifyContextSchema.optional(),
  ...VerifyLimitsRequestSchema.shape,
});
/** The key's state first (MALFORMED … EXPIRED), then its policy: FORBIDDEN (address or origin), INSUFFICIENT_PERMISSIONS; then its limits (RATE_LIMITED, USAGE_EXCEEDED). */
export const VerifyFailureCodeSchema = z.enum(['MALFORMED', 'NOT_FOUND', 'DISABLED', 'REVOKED', 'EXPIRED', 'FORBIDDEN', 'INSUFFICIENT_PERMISSIONS', 'RATE_LIMITED', 'USAGE_EXCEEDED']);
export type VerifyFailureCode = z.infer<typeof VerifyFailureCodeSchema>;
/**
 * The verify API's answer (200 for any well-formed request): a working key's ids and policy, or
 * why it fails (a policy refusal of the address or origin says which). During a rotation's grace
 * the old key still works and names the key that replaces it.
 */
export const VerifyResultSchema = z.discriminatedUnion('valid', [
  z.object({
    valid: z.literal(true),
    keyId: z.string(),
    teamId: z.string(),
    ownerId: z.string(),
    expiresAt: z.date().nullable(),
    permissions: z.array(z.string()),
    roles: z.array(z.string()),
    meta: MetaSchema,
    identity: IdentitySchema.nullable(),
    rotation: z.object({ replacedBy: z.string(), graceEndsAt: z.date() }).optional(),
    // Readonly: verify hands out the cached answer itself, which nobody may change.
    ratelimits: z.array(RatelimitStateSchema).readonly(),
    credits: CreditsStateSchema,
  }),
  z.object({
    valid: z.literal(false),
    code: VerifyFailureCodeSchema,
    reason: PolicyRefusalReasonSchema.exclude(['INSUFFICIENT_PERMISSIONS']).optional(),
    /** With RATE_LIMITED: every limit the call was checked against. */
    ratelimits: z.array(RatelimitStateSchema).optional(),
    /** With USAGE_EXCEEDED: the credits left. */
    credits: z.object({ remaining: z.number() }).optional(),
  }),
]);

/** keys.actionProgress: the team's bulk actions still running, each with its keys done of total (polled while a bulk call runs). */
export const ActionProgressInput = z.object({ teamId: TeamIdSchema });
export const ActionProgressSchema = z.object({
  running: z.array(z.object({ actionId: z.string(), kind: z.string(), done: z.number(), total: z.number() })),
});
export type ActionProgress = z.infer<typeof ActionProgressSchema>;
