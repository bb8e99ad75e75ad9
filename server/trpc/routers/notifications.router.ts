import { MarkReadInput, MarkReadResultSchema, NotificationListInput, NotificationPageSchema } from '../../../shared/schemas/notification';
import { authedProcedure, router } from '../init';

/** The caller's own in-app notices, across their teams (or one team of theirs). */
export const notificationsRouter = router({
  list: authedProcedure
    .input(NotificationListInput)
    .output(NotificationPageSchema)
    .query(({ ctx, input }) => ctx.services.notifications.list(ctx.session.user.id, input)),
  markRead: authedProcedure
    .input(MarkReadInput)
    .output(MarkReadResultSchema)
    .mutation(({ ctx, input }) => ctx.services.notifications.markRead(ctx.session.user.id, input)),
});
