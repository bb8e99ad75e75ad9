import { LogoutResultSchema, MeSchema, RequestCodeInput, RequestCodeResultSchema, SignInResultSchema, VerifyCodeInput } from '../../../shared/schemas/auth';
import { authedProcedure, publicProcedure, router } from '../init';

export const authRouter = router({
  requestCode: publicProcedure
    .input(RequestCodeInput)
    .output(RequestCodeResultSchema)
    .mutation(({ ctx, input }) => ctx.services.auth.requestCode(input.email, ctx.meta.ip, input.deviceToken)),
  verifyCode: publicProcedure
    .input(VerifyCodeInput)
    .output(SignInResultSchema)
    .mutation(({ ctx, input }) => ctx.services.auth.verifyCode(input, ctx.meta)),
  me: authedProcedure.output(MeSchema).query(({ ctx }) => ctx.services.auth.me(ctx.session.user)),
  logout: authedProcedure.output(LogoutResultSchema).mutation(({ ctx }) => ctx.services.auth.logout(ctx.session.tokenHash)),
});
