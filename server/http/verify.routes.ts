import { Hono } from 'hono';
import { VerifyRequestSchema } from '../../shared/schemas/key';
import type { Deps } from '../deps';
import type { Services } from '../services';
import { withDeadline } from '../lib/deadline';
import { bearerToken, callerOf, type NodeBindings } from './auth';

/** A caller gets an answer (503 at worst) within this, even while the database is away. */
const VERIFY_DEADLINE_MS = 6000;

/**
 * The verify API: plain Hono routes (tRPC costs ~4x a plain route here).
 * Answers are 200 with `valid` for any well-formed request, so a caller's
 * key status is data, not an HTTP error. Failures are answered by app.ts's `onError`.
 */
export function verifyRoutes(deps: Deps, services: Services) {
  const app = new Hono<NodeBindings>();

  app.post('/keys/verify', async (c) => {
    let body: unknown;
    try {
      body = await c.req.json();
    } catch {
      return c.json({ error: 'BAD_REQUEST', message: 'The body must be JSON: {"key": "kw_…"}.' }, 400);
    }
    const parsed = VerifyRequestSchema.safeParse(body);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      const where = issue && issue.path.length > 0 && issue.path[0] !== 'key' ? `${issue.path.join('.')}: ${issue.message}` : null;
      return c.json({ error: 'BAD_REQUEST', message: where ?? 'The body must be {"key": "kw_…"} with "key" a string.' }, 400);
    }
    const { key, ...spend } = parsed.data;
    // verify() bounds its own database wait; the hot path sets no timer of its own.
    return c.json(await services.verify.verify(key, callerOf(c, deps.config.trustProxy), spend));
  });

  /** What a key's holder sees about itself: its owner, team and row. */
  app.get('/me', async (c) => {
    const key = bearerToken(c.req.header('authorization'));
    if (!key) return c.json({ error: 'UNAUTHORIZED', message: 'Send a valid API key as "Authorization: Bearer kw_…".' }, 401);
    const answer = await withDeadline(services.keyHolder.me(key, callerOf(c, deps.config.trustProxy)), VERIFY_DEADLINE_MS, 'verify');
    if ('invalid' in answer) return c.json({ error: 'UNAUTHORIZED', code: answer.invalid, message: `This API key is not valid (${answer.invalid}).` }, 401);
    return c.json(answer);
  });

  return app;
}
