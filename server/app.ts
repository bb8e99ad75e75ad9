import { fetchRequestHandler } from '@trpc/server/adapters/fetch';
import { Hono } from 'hono';
import { cors } from 'hono/cors';
import type { Deps } from './deps';
import { verifyRoutes } from './http/verify.routes';
import { csvRoutes } from './http/csv.routes';
import { clientIp as callerIp, isExtensionOrigin } from './lib/caller';
import type { Services } from './services';
import { bearerToken, createContext } from './trpc/context';
import { appRouter } from './trpc/router';

/** What Hono's node adapter puts in `c.env`; absent under `app.request()` in tests. */
type NodeBindings = { incoming?: { socket?: { remoteAddress?: string } } };

/**
 * Builds the HTTP app; never listens (main.ts does, tests use app.request()
 * or a real port). CORS admits only the extension's own origins.
 */
export function createApp(deps: Deps, services: Services) {
  const app = new Hono<{ Bindings: NodeBindings }>();

  app.use(
    '*',
    cors({
      origin: (origin) => (isExtensionOrigin(origin, deps.config.extensionOrigins) ? origin : null),
      allowHeaders: ['Authorization', 'Content-Type', 'If-None-Match', 'trpc-accept'],
      exposeHeaders: ['ETag'],
      allowMethods: ['GET', 'POST', 'OPTIONS'],
      maxAge: 600,
    }),
  );

  const clientIp = (c: { req: { header(name: string): string | undefined }; env: NodeBindings | undefined }) =>
    callerIp(c.req.header('x-forwarded-for'), c.env?.incoming?.socket?.remoteAddress, deps.config.trustProxy);

  app.get('/health', async (c) => {
    const db = await deps.database.ping();
    return c.json({ ok: db, db: db ? 'ok' : 'unavailable' }, db ? 200 : 503);
  });

  app.route('/v1', verifyRoutes(deps, services));
  app.route('/v1', csvRoutes(deps, services));

  app.all('/trpc/*', (c) =>
    fetchRequestHandler({
      endpoint: '/trpc',
      req: c.req.raw,
      router: appRouter,
      // Clients send queries as POST: a pasted key value must never sit in a URL (proxy and access logs).
      allowMethodOverride: true,
      createContext: () =>
        createContext(deps, services, {
          ip: clientIp(c),
          userAgent: c.req.header('user-agent') ?? null,
          token: bearerToken(c.req.header('authorization')),
        }),
    }),
  );

  return app;
}
export type App = ReturnType<typeof createApp>;
