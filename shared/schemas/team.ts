import { z } from 'zod';
import { DEFAULT_LEAK_RESPONSE, LeakResponseSchema } from './leak';
import { DEFAULT_IDLE_WARNING_DAYS, IdleDisableDaysSchema, IdleWarningDaysSchema } from './lifecycle';
import { EmailSchema, NameTextSchema, RoleSchema, TeamIdSchema, UserIdSchema } from './common';

export const TeamNameSchema = NameTextSchema.trim().min(1, 'a team name is required').max(100, 'a team name is at most 100 characters');
/** A person's display name (a member's, or a team's first admin's). */
export const MemberNameSchema = NameTextSchema.trim().max(100, 'a name is at most 100 characters');

export const MaxLifetimeDaysSchema = z.number().int('a whole number of days').min(1).max(365).nullable();
export const ExpiryWarningDaysSchema = z
  .array(z.number().int().min(1).max(365))
  .max(5, 'at most 5 warning thresholds')
  .transform((days) => [...new Set(days)].sort((a, b) => b - a));

export const TeamSettingsSchema = z.object({
  allowMemberKeyGeneration: z.boolean(),
  maxLifetimeDays: MaxLifetimeDaysSchema,
  expiryWarningDays: z.array(z.number()),
  /** What a leak of one of the team's keys does; absent on teams made before it existed, which get the default (`revoke`). */
  leakResponse: LeakResponseSchema.optional(),
  /** Idle-key policy (see lifecycle.ts): absent on teams made before it existed, which have it off. */
  idleDisableDays: IdleDisableDaysSchema.optional(),
  idleWarningDays: IdleWarningDaysSchema.optional(),
});
export type TeamSettings = z.infer<typeof TeamSettingsSchema>;
/** Every setting present: what the server works with and answers, whatever a team's stored document lacks. */
export const FullTeamSettingsSchema = TeamSettingsSchema.required();
export type FullTeamSettings = z.infer<typeof FullTeamSettingsSchema>;

export const DEFAULT_TEAM_SETTINGS: FullTeamSettings = {
  allowMemberKeyGeneration: true,
  maxLifetimeDays: null,
  expiryWarningDays: [7, 1],
  leakResponse: DEFAULT_LEAK_RESPONSE,
  idleDisableDays: null,
  idleWarningDays: DEFAULT_IDLE_WARNING_DAYS,
};

/**
 * A team's settings with the default of each one its stored document lacks (teams made before a
 * setting existed): the one way the server reads settings. Null stands for "off" only where the
 * default is off too, so a stored null elsewhere reads as the default.
 */
export function settingsOf(stored: Partial<TeamSettings> | null | undefined): FullTeamSettings {
  const present = Object.fromEntries(Object.entries(stored ?? {}).filter(([, v]) => v !== undefined && v !== null));
  return { ...DEFAULT_TEAM_SETTINGS, ...present };
}

export const UpdateSettingsInput = z.object({
  teamId: TeamIdSchema,
  allowMemberKeyGeneration: z.boolean().optional(),
  maxLifetimeDays: MaxLifetimeDaysSchema.optional(),
  expiryWarningDays: ExpiryWarningDaysSchema.optional(),
  leakResponse: LeakResponseSchema.optional(),
  idleDisableDays: IdleDisableDaysSchema.optional(),
  idleWarningDays: IdleWarningDaysSchema.optional(),
});

export const PreviewPolicyInput = z.object({ teamId: TeamIdSchema, maxLifetimeDays: MaxLifetimeDaysSchema });

export const PolicyPreviewSchema = z.object({
  changed: z.number(),
  expireNow: z.number(),
  byOwner: z.array(z.object({ userId: z.string(), email: z.string(), changed: z.number(), expireNow: z.number() })),
});
export type PolicyPreview = z.infer<typeof PolicyPreviewSchema>;

/** settings.update: the settings saved, and what a cap given did to existing keys (null when none was given). */
export const SettingsUpdateSchema = z.object({
  settings: FullTeamSettingsSchema,
  policy: z.object({ changed: z.number(), expireNow: z.number() }).nullable(),
});

export const AddMemberInput = z.object({ teamId: TeamIdSchema, email: EmailSchema, role: RoleSchema.default('member'), name: MemberNameSchema.optional() });
export const SetRoleInput = z.object({ teamId: TeamIdSchema, userId: UserIdSchema, role: RoleSchema });
export const RemoveMemberInput = z.object({ teamId: TeamIdSchema, userId: UserIdSchema });

export const MemberSchema = z.object({ userId: z.string(), email: z.string(), name: z.string(), role: RoleSchema, joinedAt: z.date() });
export type Member = z.infer<typeof MemberSchema>;
export const MemberListSchema = z.array(MemberSchema);

/** members.add: added at once, or (someone who must consent first) invited until `expiresAt`. */
export const AddMemberResultSchema = z.discriminatedUnion('invited', [
  z.object({ teamId: z.string(), userId: z.string(), invited: z.literal(false) }),
  z.object({ teamId: z.string(), userId: z.string(), invited: z.literal(true), expiresAt: z.date() }),
]);
export const SetRoleResultSchema = z.object({ userId: z.string(), role: RoleSchema, changed: z.boolean() });
/** members.remove: how many of their keys were disabled (reason `owner_removed`). */
export const RemoveMemberResultSchema = z.object({ userId: z.string(), disabledKeys: z.number() });
