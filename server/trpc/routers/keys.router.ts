import {
  CreatedKeySchema,
  CreateKeyInput,
  FindByValueInput,
  KeyCountsInput,
  KeyCountsSchema,
  KeyIdInput,
  KeyPageSchema,
  KeyRowSchema,
  MyKeysInput,
  PreviewRestrictionsInput,
  RestrictionsPreviewSchema,
  RevokeOwnResultSchema,
  RotatedKeySchema,
  UpdateKeyInput,
} from '../../../shared/schemas/key';
import { RotateKeyInput } from '../../../shared/schemas/lifecycle';
import { KeyUsageInput, KeyUsageSchema, KeyUsageSummaryInput, KeyUsageSummarySchema } from '../../../shared/schemas/usage';
import { adminProcedure, router, teamProcedure } from '../init';
import { adminKeysProcedures } from './keys-admin.router';

/** Keys any member may use on their own keys. The admin-wide procedures are merged in from keys-admin. */
export const memberKeysProcedures = {
  create: teamProcedure
    .input(CreateKeyInput)
    .output(CreatedKeySchema)
    .mutation(({ ctx, input }) => ctx.services.keys.create({ ...ctx.teamActor, role: ctx.team.role }, input)),
  mine: teamProcedure
    .input(MyKeysInput)
    .output(KeyPageSchema)
    .query(({ ctx, input }) => ctx.services.keys.mine(input.teamId, ctx.session.user.id, input.cursor, input.limit)),
  /** The key's owner or an admin: a new key replaces it; the previous one works for `graceHours` more. */
  rotate: teamProcedure
    .input(RotateKeyInput)
    .output(RotatedKeySchema)
    .mutation(({ ctx, input }) => ctx.services.rotation.rotate({ ...ctx.teamActor, role: ctx.team.role }, input)),
  revokeOwn: teamProcedure
    .input(KeyIdInput)
    .output(RevokeOwnResultSchema)
    .mutation(({ ctx, input }) => ctx.services.keys.revokeOwn(ctx.teamActor, input.teamId, input.keyId)),
  /** A key's policy: admins set all of it on any key of the team; members some of it on their own keys (key-policy-edits.ts). */
  update: teamProcedure
    .input(UpdateKeyInput)
    .output(KeyRowSchema)
    // Rate limits and credits (admins only) are folded in by key-limits.service (issue 25).
    .mutation(({ ctx, input }) => ctx.services.keyLimits.update({ ...ctx.teamActor, role: ctx.team.role }, input)),
  /** What proposed permissions, roles or restrictions would have refused of the key's recorded verifications. */
  previewRestrictions: teamProcedure
    .input(PreviewRestrictionsInput)
    .output(RestrictionsPreviewSchema)
    .query(({ ctx, input }) => ctx.services.keyPreview.previewRestrictions({ userId: ctx.session.user.id, role: ctx.team.role }, input)),
  /** Admins see any key of the team, members only their own; anything else is null. */
  lookup: teamProcedure
    .input(FindByValueInput)
    .output(KeyRowSchema.nullable())
    .query(({ ctx, input }) => ctx.services.keys.findByValue(input.teamId, { userId: ctx.session.user.id, role: ctx.team.role }, input.key)),
};

/** Admins: the popup's counts, cached per team state, so cheaper than a one-row `list`. */
const adminCountsProcedures = {
  counts: adminProcedure
    .input(KeyCountsInput)
    .output(KeyCountsSchema)
    .query(({ ctx, input }) => ctx.services.keysAdmin.counts(input.teamId)),
};

/** Usage of keys: admins see any key of the team, members their own; other keys are NOT_FOUND (usage) or left out (usageSummary). */
const keyUsageProcedures = {
  usage: teamProcedure
    .input(KeyUsageInput)
    .output(KeyUsageSchema)
    .query(({ ctx, input }) => ctx.services.usage.keyUsage({ userId: ctx.session.user.id, role: ctx.team.role }, input.teamId, input.keyId, input.range)),
  usageSummary: teamProcedure
    .input(KeyUsageSummaryInput)
    .output(KeyUsageSummarySchema)
    .query(({ ctx, input }) => ctx.services.usage.summary({ userId: ctx.session.user.id, role: ctx.team.role }, input.teamId, input.keyIds)),
};

export const keysRouter = router({ ...memberKeysProcedures, ...adminKeysProcedures, ...adminCountsProcedures, ...keyUsageProcedures });
