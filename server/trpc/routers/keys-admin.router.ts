import {
  ChangeResultSchema,
  FindByValueInput,
  KeyIdsInput,
  KeyListSchema,
  KeyRowSchema,
  KeysMatchingInput,
  ListKeysInput,
  RevokeAllInput,
  RevokeResultSchema,
} from '../../../shared/schemas/key';
import { adminProcedure } from '../init';

/** The admin dashboard's procedures over every key of the team; merged into the `keys` router. */
export const adminKeysProcedures = {
  list: adminProcedure
    .input(ListKeysInput)
    .output(KeyListSchema)
    .query(({ ctx, input }) => ctx.services.keysAdmin.list(input)),
  findByValue: adminProcedure
    .input(FindByValueInput)
    .output(KeyRowSchema.nullable())
    .query(({ ctx, input }) => ctx.services.keys.findByValue(input.teamId, { userId: ctx.session.user.id, role: ctx.team.role }, input.key)),
  revoke: adminProcedure
    .input(KeyIdsInput)
    .output(RevokeResultSchema)
    .mutation(({ ctx, input }) => ctx.services.keysAdmin.revoke(ctx.teamActor, input.teamId, input.keyIds)),
  revokeAll: adminProcedure
    .input(RevokeAllInput)
    .output(RevokeResultSchema)
    .mutation(({ ctx, input }) => ctx.services.keysAdmin.revokeAll(ctx.teamActor, input.teamId)),
  /** "Select all N matching": the server resolves the filters; CONFLICT when the set is no longer `expectedCount` keys. */
  revokeMatching: adminProcedure
    .input(KeysMatchingInput)
    .output(RevokeResultSchema)
    .mutation(({ ctx, input }) => ctx.services.keysAdmin.revokeMatching(ctx.teamActor, input)),
  disableMatching: adminProcedure
    .input(KeysMatchingInput)
    .output(ChangeResultSchema)
    .mutation(({ ctx, input }) => ctx.services.keysAdmin.disableMatching(ctx.teamActor, input)),
  disable: adminProcedure
    .input(KeyIdsInput)
    .output(ChangeResultSchema)
    .mutation(({ ctx, input }) => ctx.services.keysAdmin.disable(ctx.teamActor, input.teamId, input.keyIds)),
  enable: adminProcedure
    .input(KeyIdsInput)
    .output(ChangeResultSchema)
    .mutation(({ ctx, input }) => ctx.services.keysAdmin.enable(ctx.teamActor, input.teamId, input.keyIds)),
};
