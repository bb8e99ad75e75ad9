import { TeamInput } from '../../../shared/schemas/common';
import { PreviewPolicyInput, UpdateSettingsInput } from '../../../shared/schemas/team';
import { adminProcedure, router, teamProcedure } from '../init';

export const settingsRouter = router({
  /** Any member may read the settings (the key form needs the policy). */
  get: teamProcedure.input(TeamInput).query(({ ctx, input }) => ctx.services.settings.get(input.teamId)),
  update: adminProcedure.input(UpdateSettingsInput).mutation(({ ctx, input }) => {
    const { teamId, ...change } = input;
    return ctx.services.settings.update(ctx.actor(ctx.session.user, ctx.team.role), teamId, change);
  }),
  previewExpiryPolicy: adminProcedure
    .input(PreviewPolicyInput)
    .query(({ ctx, input }) => ctx.services.settings.previewExpiryPolicy(input.teamId, input.maxLifetimeDays)),
});
