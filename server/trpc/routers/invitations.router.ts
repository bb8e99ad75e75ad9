import { TeamInput } from '../../../shared/schemas/common';
import {
  AcceptedInvitationSchema,
  CancelInvitationInput,
  CancelledInvitationSchema,
  DeclinedInvitationSchema,
  MyInvitationListSchema,
  ResendInvitationInput,
  ResentInvitationSchema,
  RespondToInvitationInput,
  TeamInvitationListSchema,
} from '../../../shared/schemas/invitation';
import { adminProcedure, authedProcedure, router } from '../init';

/**
 * The invitee's side (any signed-in user, no team needed: they are not in it yet)
 * and the inviting team's admins' side. Invitations are made by `members.add`.
 */
export const invitationsRouter = router({
  list: authedProcedure.output(MyInvitationListSchema).query(({ ctx }) => ctx.services.invitations.listMine(ctx.session.user.id)),
  accept: authedProcedure
    .input(RespondToInvitationInput)
    .output(AcceptedInvitationSchema)
    .mutation(({ ctx, input }) => ctx.services.invitations.accept(ctx.session.user, input.teamId, { ip: ctx.meta.ip, userAgent: ctx.meta.userAgent })),
  decline: authedProcedure
    .input(RespondToInvitationInput)
    .output(DeclinedInvitationSchema)
    .mutation(({ ctx, input }) => ctx.services.invitations.decline(ctx.session.user, input.teamId)),
  listForTeam: adminProcedure
    .input(TeamInput)
    .output(TeamInvitationListSchema)
    .query(({ ctx, input }) => ctx.services.invitations.listForTeam(input.teamId)),
  resend: adminProcedure
    .input(ResendInvitationInput)
    .output(ResentInvitationSchema)
    .mutation(({ ctx, input }) => ctx.services.invitations.resend(ctx.teamActor, input.teamId, input.userId)),
  cancel: adminProcedure
    .input(CancelInvitationInput)
    .output(CancelledInvitationSchema)
    .mutation(({ ctx, input }) => ctx.services.invitations.cancel(ctx.teamActor, input.teamId, input.userId)),
});
