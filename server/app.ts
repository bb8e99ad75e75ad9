import type { TRPCError } from '@trpc/server';
import { fetchRequestHandler } from '@trpc/server/adapters/fetch';
import { Hono, type Context } from 'hono';
import { cors } from 'hono/cors';
import type { Deps } from './deps';
import { httpStatus, toAppError, toTRPCError, type AppError } from './errors';
import { bearerToken, callerIp, type NodeBindings } from './http/auth';
import { verifyRoutes } from './http/verify.routes';
import { csvRoutes } from './http/csv.routes';
import { leaksRoutes, securityTxt } from './http/leaks.routes';
import { createRequestLimits, DEFAULT_REQUEST_LIMITS, type RequestLimits } from './http/limits';
import { isExtensionOrigin } from './lib/caller';
import { mountRest } from './http/rest/mount';
import { isRestPath, problemResponse } from './http/rest/problem';
import { restRoutes } from './http/rest/routes';
import type { Services } from './services';
import { createContext } from './trpc/context';
import { appRouter } from './trpc/router';

/**
 * Builds the HTTP app; never listens (main.ts does, tests use app.request()
 * or a real port). CORS admits only the extension's own origins. Every route
 * has a body limit, and every caller a rate and a cap in flight (http/limits.ts).
 */
export function createApp(deps: Deps, services: Services, limitsConfig: RequestLimits = DEFAULT_REQUEST_LIMITS) {
  const app = new Hono<NodeBindings>();

  app.use(
    '*',
    cors({
      origin: (origin) => (isExtensionOrigin(origin, deps.config.extensionOrigins) ? origin : null),
      allowHeaders: ['Authorization', 'Content-Type', 'If-None-Match', 'trpc-accept'],
      exposeHeaders: ['ETag', 'Retry-After'],
      allowMethods: ['GET', 'POST', 'OPTIONS'],
      maxAge: 600,
    }),
  );

  const clientIp = (c: Context<NodeBindings>) => callerIp(c, deps.config.trustProxy);

  const serveTrpc = (c: Context<NodeBindings>, refusal?: TRPCError) =>
    fetchRequestHandler({
      endpoint: '/trpc',
      // A refusal reads no body: tRPC fails the call in createContext, before it parses any input.
      req: refusal ? new Request(c.req.url, { method: c.req.method, headers: { 'content-type': 'application/json' } }) : c.req.raw,
      router: appRouter,
      // Clients send queries as POST: a pasted key value must never sit in a URL (proxy and access logs).
      allowMethodOverride: true,
      // One call per request, so the limits count calls: one batch of 300 calls used to hold the whole pool.
      allowBatching: false,
      createContext: () => {
        if (refusal) throw refusal;
        return createContext(deps, services, {
          ip: clientIp(c),
          userAgent: c.req.header('user-agent') ?? null,
          token: bearerToken(c.req.header('authorization')),
        });
      },
    });

  /** Refusals keep each route family's error shape: tRPC's envelope on /trpc, problem details on REST, `{ error, message }` elsewhere. */
  const refuse = async (c: Context<NodeBindings>, error: AppError, headers: Record<string, string>) => {
    if (isRestPath(c.req.path)) return problemResponse(error, headers);
    if (!c.req.path.startsWith('/trpc/')) return c.json({ error: error.code, message: error.message }, httpStatus(error), headers);
    const res = await serveTrpc(c, toTRPCError(error));
    const merged = new Headers(res.headers);
    // Retry-After only on the 429 itself: a refused batch is answered as a batch error (400), which no retry fixes.
    for (const [name, value] of Object.entries(headers)) if (name !== 'Retry-After' || res.status === 429) merged.set(name, value);
    return new Response(res.body, { status: res.status, headers: merged });
  };

  const limits = createRequestLimits(limitsConfig, {
    clientIp: (c) => clientIp(c),
    bearerToken: (c) => bearerToken(c.req.header('authorization')),
    render: refuse,
  });
  app.use('/v1/keys/verify', limits.verify);
  app.use('/v1/me', limits.address);
  app.use('/v1/teams/*', limits.caller);
  app.use('/v1/leaks/report', limits.leakReport);
  app.use('/v1/leaks/github', limits.address);
  app.use('/health', limits.address);
  app.use('/trpc/*', limits.caller);
  app.use('*', limits.body);

  app.get('/health', async (c) => {
    const db = await services.health.databaseUp();
    return c.json({ ok: db, db: db ? 'ok' : 'unavailable' }, db ? 200 : 503);
  });

  // The one error answer of the plain routes (tRPC maps its own in trpc/init.ts): `{ error, message }`, never a driver message.
  app.onError((err, c) => {
    const appError = toAppError(err, deps.log.error);
    return c.json({ error: appError.code, message: appError.message }, httpStatus(appError));
  });

  app.route('/v1', verifyRoutes(deps, services));
  app.route('/v1', csvRoutes(deps, services));
  // After the CSV exports, which share `/v1/teams/{teamId}/`.
  mountRest(app, deps, services, restRoutes(services));
  app.route('/v1', leaksRoutes(deps, services));
  app.get('/.well-known/security.txt', (c) => c.text(securityTxt(deps)));

  app.all('/trpc/*', (c) => serveTrpc(c));

  return app;
}
export type App = ReturnType<typeof createApp>;
