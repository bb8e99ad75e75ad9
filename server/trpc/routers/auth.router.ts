import { RequestCodeInput, VerifyCodeInput } from '../../../shared/schemas/auth';
import { authedProcedure, publicProcedure, router } from '../init';

export const authRouter = router({
  requestCode: publicProcedure.input(RequestCodeInput).mutation(({ ctx, input }) => ctx.services.auth.requestCode(input.email, ctx.meta.ip, input.deviceToken)),
  verifyCode: publicProcedure.input(VerifyCodeInput).mutation(({ ctx, input }) => ctx.services.auth.verifyCode(input, ctx.meta)),
  me: authedProcedure.query(({ ctx }) => ctx.services.auth.me(ctx.session.user)),
  logout: authedProcedure.mutation(({ ctx }) => ctx.services.auth.logout(ctx.session.tokenHash)),
});
