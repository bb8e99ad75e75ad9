import { GetIdentityInput, IdentityDetailsSchema, IdentityPageSchema, ListIdentitiesInput, TeamIdentitySchema, UpdateIdentityInput } from '../../../shared/schemas/identities';
import { adminProcedure, router } from '../init';

/** Identities (admins): who the team's keys belong to, by externalId, and their meta. */
export const identitiesRouter = router({
  list: adminProcedure
    .input(ListIdentitiesInput)
    .output(IdentityPageSchema)
    .query(({ ctx, input }) => ctx.services.identities.list(input.teamId, input.cursor, input.limit)),
  get: adminProcedure
    .input(GetIdentityInput)
    .output(IdentityDetailsSchema)
    .query(({ ctx, input }) => ctx.services.identities.get(input.teamId, input.externalId)),
  update: adminProcedure
    .input(UpdateIdentityInput)
    .output(TeamIdentitySchema)
    // Shared rate limits (issue 25) are folded in by key-limits.service.
    .mutation(({ ctx, input }) => ctx.services.keyLimits.updateIdentity(ctx.teamActor, input)),
});
