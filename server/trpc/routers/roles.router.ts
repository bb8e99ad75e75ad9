import { DeleteRoleInput, ListRolesInput, RoleListSchema, UpsertRoleInput } from '../../../shared/schemas/roles';
import { RoleSchema } from '../../../shared/schemas/policy';
import { adminProcedure, router, teamProcedure } from '../init';

/** Team roles: any member reads them (to pick assignable ones for their keys); admins change them. */
export const rolesRouter = router({
  list: teamProcedure
    .input(ListRolesInput)
    .output(RoleListSchema)
    .query(({ ctx, input }) => ctx.services.roles.list(input.teamId)),
  upsert: adminProcedure
    .input(UpsertRoleInput)
    .output(RoleSchema)
    .mutation(({ ctx, input: { teamId, ...role } }) => ctx.services.roles.upsert(ctx.teamActor, teamId, role)),
  delete: adminProcedure
    .input(DeleteRoleInput)
    .output(RoleSchema)
    .mutation(({ ctx, input }) => ctx.services.roles.delete(ctx.teamActor, input.teamId, input.name)),
});
