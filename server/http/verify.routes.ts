import { Hono } from 'hono';
import { VerifyRequestSchema } from '../../shared/schemas/key';
import type { Deps } from '../deps';
import type { Services } from '../services';
import { withDeadline } from '../lib/deadline';
import { bearerToken, callerOf, type NodeBindings } from './auth';

/**
 * Valid answers serialized once: verify hands out one frozen answer object per cached key state, and
 * a key's permissions, roles, meta and identity make serializing it a large part of a request's work.
 * (Refusals are small and made per call: not kept.)
 */
const serialized = new WeakMap<object, string>();
function answerJson(answer: object): string {
  if (!Object.isFrozen(answer)) return JSON.stringify(answer);
  let json = serialized.get(answer);
  if (json === undefined) serialized.set(answer, (json = JSON.stringify(answer)));
  return json;
}

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
      // Wrong `permissions`, `context`, `cost` or `ratelimits` are worded by their schemas; anything else is a wrong body.
      const worded = ['permissions', 'context', 'cost', 'ratelimits'];
      const issues = parsed.error.issues.filter((i) => worded.includes(String(i.path[0])));
      const message = issues.length === parsed.error.issues.length
        ? issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')
        : 'The body must be {"key": "kw_…"} with "key" a string.';
      return c.json({ error: 'BAD_REQUEST', message }, 400);
    }
    const { key, permissions, context, cost, ratelimits } = parsed.data;
    // verify() bounds its own database wait; the hot path sets no timer of its own. Restrictions
    // are checked against `context` only: this route's caller is the service, not its client.
    const answer = await services.verify.verify(key, callerOf(c, deps.config.trustProxy), { permissions, context }, { cost, ratelimits });
    return c.body(answerJson(answer), 200, { 'content-type': 'application/json' });
  });

  /** What a key's holder sees about itself: its owner, team and row. */
  app.get('/me', async (c) => {
    const key = bearerToken(c.req.header('authorization'));
    if (!key) return c.json({ error: 'UNAUTHORIZED', message: 'Send a valid API key as "Authorization: Bearer kw_…".' }, 401);
    const answer = await withDeadline(services.keyHolder.me(key, callerOf(c, deps.config.trustProxy), c.req.header('origin')), VERIFY_DEADLINE_MS, 'verify');
    if ('invalid' in answer) return c.json({ error: 'UNAUTHORIZED', code: answer.invalid, message: `This API key is not valid (${answer.invalid}).` }, 401);
    return c.json(answer);
  });

  return app;
}
