import { UsageOverviewInput, UsageOverviewSchema } from '../../../shared/schemas/usage';
import { adminProcedure, router } from '../init';

/** The team's usage at a glance (admins). A key's own usage is `keys.usage`. */
export const usageRouter = router({
  overview: adminProcedure
    .input(UsageOverviewInput)
    .output(UsageOverviewSchema)
    .query(({ ctx, input }) => ctx.services.usage.overview(input.teamId, input.range)),
});
