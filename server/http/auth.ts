import type { IncomingMessage } from 'node:http';
import type { Context } from 'hono';
import { TeamIdSchema } from '../../shared/schemas/common';
import { AppError } from '../errors';
import { clientIp } from '../lib/caller';
import type { Services } from '../services';

/**
 * Who is calling a plain route, decided the same way as on the tRPC side: the bearer token,
 * the caller's address (TRUST_PROXY), and the one team-admin guard. Refusals are thrown as
 * AppErrors and answered by app.ts's single `onError`.
 */

/** What Hono's node adapter puts in `c.env`; absent under `app.request()` in tests. */
export type NodeBindings = { Bindings: { incoming?: IncomingMessage } };

/** The token of an `Authorization: Bearer …` header (a session token or an API key). */
export function bearerToken(header: string | null | undefined): string | null {
  const match = /^Bearer\s+(\S+)$/i.exec(header ?? '');
  return match ? match[1]! : null;
}

/** The caller's address, for rate limits, audit and usage analytics (lib/caller.ts holds the rule). */
export function callerIp(c: Context<NodeBindings>, trustProxy: boolean): string | null {
  return clientIp(c.req.header('x-forwarded-for'), c.env?.incoming?.socket?.remoteAddress, trustProxy);
}

/** The caller's address and user agent. */
export function callerOf(c: Context<NodeBindings>, trustProxy: boolean): { ip: string | null; userAgent: string | null } {
  return { ip: callerIp(c, trustProxy), userAgent: c.req.header('user-agent') ?? null };
}

/**
 * The signed-in caller administering the route's `:teamId`: 401 without a session, 404 for a
 * team they are not in (like one that does not exist), 403 when they are a plain member.
 */
export async function teamAdmin(c: Context, services: Services, forbiddenWhy?: string): Promise<{ teamId: string; userId: string }> {
  const session = await services.auth.resolveSession(bearerToken(c.req.header('authorization')));
  if (!session) throw new AppError('UNAUTHORIZED', 'Send your session token as "Authorization: Bearer …".');
  const teamId = TeamIdSchema.safeParse(c.req.param('teamId'));
  if (!teamId.success) throw new AppError('NOT_FOUND', 'Team not found.');
  await services.teams.adminRoleIn(teamId.data, session.user.id, forbiddenWhy);
  return { teamId: teamId.data, userId: session.user.id };
}
