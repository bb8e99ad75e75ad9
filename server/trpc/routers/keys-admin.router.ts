import { FindByValueInput, KeyIdsInput, KeysMatchingInput, ListKeysInput, RevokeAllInput } from '../../../shared/schemas/key';
import { adminProcedure } from '../init';

/** The admin dashboard's procedures over every key of the team; merged into the `keys` router. */
export const adminKeysProcedures = {
  list: adminProcedure.input(ListKeysInput).query(({ ctx, input }) => ctx.services.keysAdmin.list(input)),
  findByValue: adminProcedure
    .input(FindByValueInput)
    .query(({ ctx, input }) => ctx.services.keys.findByValue(input.teamId, { userId: ctx.session.user.id, role: ctx.team.role }, input.key)),
  revoke: adminProcedure
    .input(KeyIdsInput)
    .mutation(({ ctx, input }) => ctx.services.keysAdmin.revoke(ctx.teamActor, input.teamId, input.keyIds)),
  revokeAll: adminProcedure
    .input(RevokeAllInput)
    .mutation(({ ctx, input }) => ctx.services.keysAdmin.revokeAll(ctx.teamActor, input.teamId)),
  /** "Select all N matching": the server resolves the filters; CONFLICT when the set is no longer `expectedCount` keys. */
  revokeMatching: adminProcedure
    .input(KeysMatchingInput)
    .mutation(({ ctx, input }) => ctx.services.keysAdmin.revokeMatching(ctx.teamActor, input)),
  disableMatching: adminProcedure
    .input(KeysMatchingInput)
    .mutation(({ ctx, input }) => ctx.services.keysAdmin.disableMatching(ctx.teamActor, input)),
  disable: adminProcedure
    .input(KeyIdsInput)
    .mutation(({ ctx, input }) => ctx.services.keysAdmin.disable(ctx.teamActor, input.teamId, input.keyIds)),
  enable: adminProcedure
    .input(KeyIdsInput)
    .mutation(({ ctx, input }) => ctx.services.keysAdmin.enable(ctx.teamActor, input.teamId, input.keyIds)),
};
