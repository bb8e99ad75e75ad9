import { AdminOutboxInput, OutboxPageSchema } from '../../../shared/schemas/outbox';
import { adminProcedure, router } from '../init';

/** Operations views for team admins. */
export const adminRouter = router({
  /** The team's outgoing email, newest first; `state: 'failed'` finds messages that gave up. */
  outbox: adminProcedure
    .input(AdminOutboxInput)
    .output(OutboxPageSchema)
    .query(({ ctx, input }) => ctx.services.outbox.listForTeam(input.teamId, input)),
});
