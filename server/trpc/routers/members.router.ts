import { TeamInput } from '../../../shared/schemas/common';
import { AddMemberInput, RemoveMemberInput, SetRoleInput } from '../../../shared/schemas/team';
import { adminProcedure, router } from '../init';

export const membersRouter = router({
  list: adminProcedure.input(TeamInput).query(({ ctx, input }) => ctx.services.members.list(input.teamId)),
  add: adminProcedure.input(AddMemberInput).mutation(({ ctx, input }) => ctx.services.members.add(ctx.teamActor, input)),
  setRole: adminProcedure
    .input(SetRoleInput)
    .mutation(({ ctx, input }) => ctx.services.members.setRole(ctx.teamActor, input.teamId, input.userId, input.role)),
  remove: adminProcedure
    .input(RemoveMemberInput)
    .mutation(({ ctx, input }) => ctx.services.members.remove(ctx.teamActor, input.teamId, input.userId)),
});
