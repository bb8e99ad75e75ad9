import { AlertsSummaryInput, AlertsSummaryResultSchema } from '../../../shared/schemas/alerts';
import { authedProcedure, router } from '../init';

/** What the extension's badge shows; polled every minute, pushed over /v1/alerts/ws. */
export const alertsRouter = router({
  summary: authedProcedure
    .input(AlertsSummaryInput)
    .output(AlertsSummaryResultSchema)
    .query(({ ctx, input }) => ctx.services.alerts.summary(ctx.session.user.id, input?.etag)),
});
