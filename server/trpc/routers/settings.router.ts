import { TeamInput } from '../../../shared/schemas/common';
import { FullTeamSettingsSchema, PolicyPreviewSchema, PreviewPolicyInput, SettingsUpdateSchema, UpdateSettingsInput } from '../../../shared/schemas/team';
import { IdlePreviewSchema, PreviewIdlePolicyInput } from '../../../shared/schemas/lifecycle';
import { adminProcedure, router, teamProcedure } from '../init';

export const settingsRouter = router({
  /** Any member may read the settings (the key form needs the policy). */
  get: teamProcedure
    .input(TeamInput)
    .output(FullTeamSettingsSchema)
    .query(({ ctx, input }) => ctx.services.settings.get(input.teamId)),
  update: adminProcedure
    .input(UpdateSettingsInput)
    .output(SettingsUpdateSchema)
    .mutation(({ ctx, input }) => {
    const { teamId, ...change } = input;
    return ctx.services.settings.update(ctx.teamActor, teamId, change);
  }),
  /** What an idle-key policy would do if saved: keys disabled at once and keys warned, per owner. */
  previewIdlePolicy: adminProcedure
    .input(PreviewIdlePolicyInput)
    .output(IdlePreviewSchema)
    .query(({ ctx, input }) => ctx.services.idleKeys.preview(input.teamId, input.idleDisableDays, input.idleWarningDays)),
  previewExpiryPolicy: adminProcedure
    .input(PreviewPolicyInput)
    .output(PolicyPreviewSchema)
    .query(({ ctx, input }) => ctx.services.settings.previewExpiryPolicy(input.teamId, input.maxLifetimeDays)),
});
