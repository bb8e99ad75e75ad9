import { RevokeResultSchema } from '../../../shared/schemas/key';
import { CheckLeakInput, LeakCheckSchema, LeakReceivedSchema, ReportLeakInput } from '../../../shared/schemas/leak';
import { router, teamProcedure } from '../init';

/**
 * The extension's leak guard, signed in: it sends only a key it found (and the
 * page's address), never the page. `check` says whether the key is the team's
 * and whether the caller may revoke it; `report` handles it as a leak with
 * source `extension`; `revoke` (owner or admin) records the leak and revokes it.
 */
export const leaksRouter = router({
  check: teamProcedure
    .input(CheckLeakInput)
    .output(LeakCheckSchema)
    .query(({ ctx, input }) => ctx.services.leaks.check({ userId: ctx.session.user.id, role: ctx.team.role }, input.teamId, input.key)),
  report: teamProcedure
    .input(ReportLeakInput)
    .output(LeakReceivedSchema)
    .mutation(({ ctx, input }) => ctx.services.leaks.reportFromExtension(ctx.teamActor, input)),
  revoke: teamProcedure
    .input(ReportLeakInput)
    .output(RevokeResultSchema)
    .mutation(({ ctx, input }) => ctx.services.leaks.revokeFromExtension({ ...ctx.teamActor, role: ctx.team.role }, input.teamId, input)),
});
