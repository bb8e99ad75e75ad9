import { Hono, type Context } from 'hono';
import { VerifyRequestSchema } from '../../shared/schemas/key';
import { httpStatus, toAppError } from '../errors';
import type { Deps } from '../deps';
import type { Services } from '../services';
import { bearerToken } from '../trpc/context';
import { clientIp } from '../lib/caller';
import { withDeadline } from '../lib/deadline';

/** A caller gets an answer (503 at worst) within this, even while the database is away. */
const VERIFY_DEADLINE_MS = 6000;

type NodeBindings = { Bindings: { incoming?: { socket?: { remoteAddress?: string } } } };

/**
 * The verify API: plain Hono routes (tRPC costs ~4x a plain route here).
 * Answers are 200 with `valid` for any well-formed request, so a caller's
 * key status is data, not an HTTP error.
 */

export function verifyRoutes(deps: Deps, services: Services) {
  const app = new Hono<NodeBindings>();
  /** Who presented the key, for usage analytics: the address follows TRUST_PROXY like everywhere else. */
  const sourceOf = (c: Context<NodeBindings>) => ({
    ip: clientIp(c.req.header('x-forwarded-for'), c.env?.incoming?.socket?.remoteAddress, deps.config.trustProxy),
    userAgent: c.req.header('user-agent') ?? null,
  });

  app.post('/keys/verify', async (c) => {
    let body: unknown;
    try {
      body = await c.req.json();
    } catch {
      return c.json({ error: 'BAD_REQUEST', message: 'The body must be JSON: {"key": "kw_…"}.' }, 400);
    }
    const parsed = VerifyRequestSchema.safeParse(body);
    if (!parsed.success) {
      return c.json({ error: 'BAD_REQUEST', message: 'The body must be {"key": "kw_…"} with "key" a string.' }, 400);
    }
    try {
      // verify() bounds its own database wait; the hot path sets no timer of its own.
      return c.json(await services.verify.verify(parsed.data.key, sourceOf(c)));
    } catch (err) {
      const appError = toAppError(err, deps.log.error);
      return c.json({ error: appError.code, message: appError.message }, httpStatus(appError));
    }
  });

  /** What a key's holder sees about itself: its owner, team and row. */
  app.get('/me', async (c) => {
    const key = bearerToken(c.req.header('authorization'));
    if (!key) return c.json({ error: 'UNAUTHORIZED', message: 'Send a valid API key as "Authorization: Bearer kw_…".' }, 401);
    try {
      const answer = await withDeadline(
        (async () => {
          const result = await services.verify.verify(key, sourceOf(c));
          if (!result.valid) return { invalid: result.code };
          const [team, owner, stored] = await Promise.all([
            services.repos.teams.findTeam(result.teamId),
            services.repos.users.findById(result.ownerId),
            services.repos.keys.findByPublicId(result.teamId, result.keyId),
          ]);
          if (!team || !owner || !stored) return { invalid: 'NOT_FOUND' as const };
          const [row] = await services.keys.rows(result.teamId, [stored]);
          return { team: { id: team.id, name: team.name }, owner: { id: owner.id, email: owner.email, name: owner.name }, key: row };
        })(),
        VERIFY_DEADLINE_MS,
        'verify',
      );
      if ('invalid' in answer) return c.json({ error: 'UNAUTHORIZED', code: answer.invalid, message: `This API key is not valid (${answer.invalid}).` }, 401);
      return c.json(answer);
    } catch (err) {
      const appError = toAppError(err, deps.log.error);
      return c.json({ error: appError.code, message: appError.message }, httpStatus(appError));
    }
  });

  return app;
}
