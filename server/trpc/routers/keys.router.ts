import { CreateKeyInput, FindByValueInput, KeyIdInput, MyKeysInput } from '../../../shared/schemas/key';
import { router, teamProcedure } from '../init';
import { adminKeysProcedures } from './keys-admin.router';

/** Keys any member may use on their own keys. The admin-wide procedures are merged in from keys-admin. */
export const memberKeysProcedures = {
  create: teamProcedure
    .input(CreateKeyInput)
    .mutation(({ ctx, input }) => ctx.services.keys.create({ ...ctx.actor(ctx.session.user, ctx.team.role), role: ctx.team.role }, input)),
  mine: teamProcedure.input(MyKeysInput).query(({ ctx, input }) => ctx.services.keys.mine(input.teamId, ctx.session.user.id, input.cursor, input.limit)),
  revokeOwn: teamProcedure
    .input(KeyIdInput)
    .mutation(({ ctx, input }) => ctx.services.keys.revokeOwn(ctx.actor(ctx.session.user, ctx.team.role), input.teamId, input.keyId)),
  /** Admins see any key of the team, members only their own; anything else is null. */
  lookup: teamProcedure
    .input(FindByValueInput)
    .query(({ ctx, input }) => ctx.services.keys.findByValue(input.teamId, { userId: ctx.session.user.id, role: ctx.team.role }, input.key)),
};

export const keysRouter = router({ ...memberKeysProcedures, ...adminKeysProcedures });
