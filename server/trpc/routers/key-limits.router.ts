import { KeyRowSchema } from '../../../shared/schemas/key';
import { UpdateKeyLimitsInput } from '../../../shared/schemas/limits';
import { adminProcedure } from '../init';

/** keys.update for rate limits and credits (admins; members see them on their own keys' rows). Merged into the `keys` router. */
export const keyLimitsProcedures = {
  update: adminProcedure
    .input(UpdateKeyLimitsInput)
    .output(KeyRowSchema)
    .mutation(({ ctx, input }) => {
      const { teamId, keyId, ...limits } = input;
      return ctx.services.keyLimits.update(teamId, keyId, limits);
    }),
};
