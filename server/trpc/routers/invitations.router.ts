import { TeamInput } from '../../../shared/schemas/common';
import { CancelInvitationInput, ResendInvitationInput, RespondToInvitationInput } from '../../../shared/schemas/invitation';
import { adminProcedure, authedProcedure, router } from '../init';

/**
 * The invitee's side (any signed-in user, no team needed: they are not in it yet)
 * and the inviting team's admins' side. Invitations are made by `members.add`.
 */
export const invitationsRouter = router({
  list: authedProcedure.query(({ ctx }) => ctx.services.invitations.listMine(ctx.session.user.id)),
  accept: authedProcedure
    .input(RespondToInvitationInput)
    .mutation(({ ctx, input }) => ctx.services.invitations.accept(ctx.session.user, input.teamId, { ip: ctx.meta.ip, userAgent: ctx.meta.userAgent })),
  decline: authedProcedure.input(RespondToInvitationInput).mutation(({ ctx, input }) => ctx.services.invitations.decline(ctx.session.user, input.teamId)),
  listForTeam: adminProcedure.input(TeamInput).query(({ ctx, input }) => ctx.services.invitations.listForTeam(input.teamId)),
  resend: adminProcedure
    .input(ResendInvitationInput)
    .mutation(({ ctx, input }) => ctx.services.invitations.resend(ctx.teamActor, input.teamId, input.userId)),
  cancel: adminProcedure
    .input(CancelInvitationInput)
    .mutation(({ ctx, input }) => ctx.services.invitations.cancel(ctx.teamActor, input.teamId, input.userId)),
});
