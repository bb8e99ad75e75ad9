import type { Context, Hono } from 'hono';
import { AppError, toAppError } from '../../errors';
import type { Deps } from '../../deps';
import { withDeadline } from '../../lib/deadline';
import type { Services } from '../../services';
import type { Actor } from '../../services/actor';
import { bearerToken, callerOf, type NodeBindings } from '../auth';
import { invalidInput, problemResponse } from './problem';
import type { RestCall, RestRoute } from './route';

const REQUEST_DEADLINE_MS = 30_000;

const paramCount = (path: string) => path.split('{').length - 1;

/** `/v1/teams/{teamId}/keys/{keyId}` → Hono's `/v1/teams/:teamId/keys/:keyId`. */
export const honoPath = (path: string) => path.replace(/\{(\w+)\}/g, ':$1');

const unauthorized = () => new AppError('UNAUTHORIZED', 'Send a working team API token as "Authorization: Bearer kwt_…" (this one is missing, invalid, expired or revoked).');

/** Reads the JSON body; an empty one is `undefined`, so the schema names what is missing. */
async function readJson(c: Context): Promise<unknown> {
  const text = await c.req.text();
  if (text.trim() === '') return undefined;
  try {
    return JSON.parse(text);
  } catch {
    throw new AppError('BAD_REQUEST', 'body: not valid JSON.');
  }
}

/**
 * Answers one REST call: the bearer token (401), the token's team against the path's (404, as
 * for a team that does not exist), the route's scope (403 naming it), the path, query and body
 * against the route's schemas (404 for a path naming nothing that could exist, 400 naming the
 * field), then the handler. Every failure is a problem (problem.ts).
 */
async function answer(deps: Deps, services: Services, route: RestRoute, c: Context<NodeBindings>): Promise<Response> {
  const token = await services.tokens.authenticate(bearerToken(c.req.header('authorization')));
  if (!token) throw unauthorized();
  const rawParams = c.req.param() as Record<string, string>;
  if (rawParams.teamId !== token.teamId) throw new AppError('NOT_FOUND', 'Team not found.');
  if (!token.scopes.includes(route.scope)) throw new AppError('FORBIDDEN', `This token lacks the scope ${route.scope}, which ${route.method.toUpperCase()} ${route.path} needs.`);
  const params = route.params.safeParse(rawParams);
  if (!params.success) throw new AppError('NOT_FOUND', `Not found: ${params.error.issues.map((i) => i.path.join('.')).join(', ')}.`);
  const query = route.query ? route.query.safeParse(c.req.query()) : null;
  if (query && !query.success) throw invalidInput('query', query.error);
  const body = route.body ? route.body.safeParse(await readJson(c)) : null;
  if (body && !body.success) throw invalidInput('body', body.error);
  const { ip, userAgent } = callerOf(c, deps.config.trustProxy);
  const actor: Actor = {
    userId: token.createdBy,
    email: token.email,
    role: token.role,
    ip,
    userAgent,
    token: { tokenId: token.tokenId, name: token.name, createdBy: token.createdBy },
  };
  const call: RestCall = {
    params: params.data as Record<string, string>,
    query: (query?.data ?? {}) as Record<string, unknown>,
    body: body?.data,
    token: { tokenId: token.tokenId, name: token.name, createdBy: token.createdBy, teamId: token.teamId, scopes: token.scopes },
    actor,
    ip,
    userAgent,
    signal: c.req.raw.signal,
  };
  const result = await withDeadline(route.handler(call), REQUEST_DEADLINE_MS, 'the request');
  if (route.success.schema === null || route.success.status === 204) return new Response(null, { status: route.success.status });
  return c.json(result as object, route.success.status);
}

/**
 * Mounts the REST routes on the app, and answers anything else under `/v1/teams/` that is not a
 * CSV export with a 404 problem. Mount after the CSV routes.
 */
export function mountRest(app: Hono<NodeBindings>, deps: Deps, services: Services, routes: RestRoute[]) {
  // Fewer path parameters first: `keys/revoke` (or `keys/changes`) must not be taken for `keys/{keyId}`.
  const bySpecificity = [...routes].sort((a, b) => paramCount(a.path) - paramCount(b.path));
  // The methods of the most specific route path a request path names (RFC 9110's `Allow`), if any.
  const patterns = [...new Set(bySpecificity.map((r) => r.path))].map((path) => ({
    regex: new RegExp(`^${path.replace(/\{\w+\}/g, '[^/]+')}$`),
    allow: [...new Set(routes.filter((r) => r.path === path).map((r) => r.method.toUpperCase()))].join(', '),
  }));
  const allowedFor = (path: string) => patterns.find((p) => p.regex.test(path))?.allow;
  const wrongMethod = (c: Context, allow: string) =>
    problemResponse(new AppError('METHOD_NOT_ALLOWED', `${c.req.method} is not a method of ${c.req.path}: it takes ${allow}.`), { Allow: allow });

  for (const route of bySpecificity) {
    app.on(route.method.toUpperCase(), honoPath(route.path), async (c) => {
      // `PATCH keys/changes` reaches `PATCH keys/{keyId}` here: the path is another route's, with another method.
      const allow = allowedFor(c.req.path);
      if (allow && !allow.split(', ').includes(c.req.method === 'HEAD' ? 'GET' : c.req.method)) return wrongMethod(c, allow);
      try {
        return await answer(deps, services, route, c);
      } catch (err) {
        return problemResponse(toAppError(err, deps.log.error));
      }
    });
  }
  // A path a route takes with another method is a 405 naming the methods it takes, not a 404.
  const noSuchRoute = (c: Context) => {
    const allow = allowedFor(c.req.path);
    if (allow) return wrongMethod(c, allow);
    return problemResponse(new AppError('NOT_FOUND', 'No such route: see /v1/openapi.json for the REST API.'));
  };
  // The API's root itself too: it names no route, and answers in the API's error shape.
  for (const path of ['/v1/teams', '/v1/teams/', '/v1/teams/:teamId/*']) app.all(path, noSuchRoute);
}
