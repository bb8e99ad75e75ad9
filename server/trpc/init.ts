import { initTRPC, TRPCError } from '@trpc/server';
import superjson from 'superjson';
import { ZodError } from 'zod';
import { TeamInput } from '../../shared/schemas/common';
import { AppError, toAppError, toTRPCError } from '../errors';
import type { Context } from './context';
import { withDeadline } from '../lib/deadline';

const REQUEST_DEADLINE_MS = 30_000;

/**
 * The one tRPC instance. Role checks live only in these builders:
 * public -> authed (valid session) -> team (membership of input.teamId) -> admin.
 * The only checks elsewhere are those that depend on the target, which a
 * builder cannot see: a member acts only on their own keys, and only a super
 * admin may grant or take away super_admin (services/keys, services/members).
 */
const t = initTRPC.context<Context>().create({
  transformer: superjson,
  errorFormatter({ shape, error }) {
    const zodError = error.cause instanceof ZodError ? error.cause : null;
    return {
      ...shape,
      message: zodError ? zodError.issues.map((i) => `${i.path.join('.') || 'input'}: ${i.message}`).join('; ') : shape.message,
      data: { ...shape.data, stack: undefined, issues: zodError?.issues.map((i) => ({ path: i.path.map(String), message: i.message })) ?? null },
    };
  },
});

export const router = t.router;

/** Maps domain and driver errors to tRPC errors in one place. */
const errorMapping = t.middleware(async ({ next, ctx }) => {
  // No call hangs on a database that went away: it answers 503 instead.
  const result = await withDeadline(next(), REQUEST_DEADLINE_MS, 'the request').catch((err) => {
    throw toTRPCError(toAppError(err, ctx.deps.log.error));
  });
  if (!result.ok && !(result.error.cause instanceof ZodError) && result.error.code === 'INTERNAL_SERVER_ERROR') {
    const appError = result.error.cause instanceof AppError ? result.error.cause : toAppError(result.error.cause ?? result.error, ctx.deps.log.error);
    throw toTRPCError(appError);
  }
  return result;
});

export const publicProcedure = t.procedure.use(errorMapping);

export const authedProcedure = publicProcedure.use(async ({ ctx, next }) => {
  const session = await ctx.resolveSession();
  if (!session) throw new TRPCError({ code: 'UNAUTHORIZED', message: 'Sign in first (your session is missing or has expired).' });
  return next({ ctx: { ...ctx, session } });
});

/**
 * A team the caller is not in behaves exactly like a team that does not exist (teams.roleIn).
 * `teamActor` is the caller as an audit actor with their role in this team.
 */
export const teamProcedure = authedProcedure.input(TeamInput).use(async ({ ctx, input, next }) => {
  const role = await ctx.services.teams.roleIn(input.teamId, ctx.session.user.id);
  return next({ ctx: { ...ctx, team: { id: input.teamId, role }, teamActor: ctx.actor(ctx.session.user, role) } });
});

/** The team-admin guard the plain routes share (teams.adminRoleIn, http/auth.ts). */
export const adminProcedure = authedProcedure.input(TeamInput).use(async ({ ctx, input, next }) => {
  const role = await ctx.services.teams.adminRoleIn(input.teamId, ctx.session.user.id);
  return next({ ctx: { ...ctx, team: { id: input.teamId, role }, teamActor: ctx.actor(ctx.session.user, role) } });
});
