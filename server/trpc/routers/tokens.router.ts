import { TeamInput } from '../../../shared/schemas/common';
import { CreatedTokenSchema, CreateTokenInput, RevokeTokenResultSchema, TokenIdInput, TokenListSchema } from '../../../shared/schemas/token';
import { adminProcedure, router } from '../init';

/** Team API tokens for the REST API: admins only (members FORBIDDEN, another team NOT_FOUND, as adminProcedure decides). */
export const tokensRouter = router({
  create: adminProcedure
    .input(CreateTokenInput)
    .output(CreatedTokenSchema)
    .mutation(({ ctx, input }) => ctx.services.tokens.create(ctx.teamActor, input)),
  list: adminProcedure
    .input(TeamInput)
    .output(TokenListSchema)
    .query(({ ctx, input }) => ctx.services.tokens.list(input.teamId)),
  revoke: adminProcedure
    .input(TokenIdInput)
    .output(RevokeTokenResultSchema)
    .mutation(({ ctx, input }) => ctx.services.tokens.revoke(ctx.teamActor, input.teamId, input.tokenId)),
});
