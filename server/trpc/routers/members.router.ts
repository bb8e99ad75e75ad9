import { TeamInput } from '../../../shared/schemas/common';
import { AddMemberInput, AddMemberResultSchema, MemberListSchema, RemoveMemberInput, RemoveMemberResultSchema, SetRoleInput, SetRoleResultSchema } from '../../../shared/schemas/team';
import { adminProcedure, router } from '../init';

export const membersRouter = router({
  list: adminProcedure
    .input(TeamInput)
    .output(MemberListSchema)
    .query(({ ctx, input }) => ctx.services.members.list(input.teamId)),
  add: adminProcedure
    .input(AddMemberInput)
    .output(AddMemberResultSchema)
    .mutation(({ ctx, input }) => ctx.services.members.add(ctx.teamActor, input)),
  setRole: adminProcedure
    .input(SetRoleInput)
    .output(SetRoleResultSchema)
    .mutation(({ ctx, input }) => ctx.services.members.setRole(ctx.teamActor, input.teamId, input.userId, input.role)),
  remove: adminProcedure
    .input(RemoveMemberInput)
    .output(RemoveMemberResultSchema)
    .mutation(({ ctx, input }) => ctx.services.members.remove(ctx.teamActor, input.teamId, input.userId)),
});
