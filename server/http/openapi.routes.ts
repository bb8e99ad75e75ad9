import { Hono } from 'hono';
import type { NodeBindings } from './auth';
import { openApiDocument, type RouteDeclaration } from './openapi';
import { DOCS_CSP, renderDocsPage } from './openapi.docs';

/**
 * `GET /v1/openapi.json` and `GET /v1/docs`: public, with the body and rate limits of
 * every public route (app.ts). Both are built once, on first use, from the declared routes.
 */
export function openApiRoutes(routes: readonly RouteDeclaration[]) {
  const app = new Hono<NodeBindings>();
  let built: { json: string; page: string } | null = null;
  const documents = () => {
    if (!built) {
      const doc = openApiDocument(routes);
      built = { json: JSON.stringify(doc), page: renderDocsPage(doc) };
    }
    return built;
  };

  app.get('/openapi.json', (c) => c.body(documents().json, 200, { 'Content-Type': 'application/json; charset=utf-8' }));

  app.get('/docs', (c) =>
    c.html(documents().page, 200, {
      'Content-Security-Policy': DOCS_CSP,
      'X-Content-Type-Options': 'nosniff',
      'Referrer-Policy': 'no-referrer',
    }),
  );

  return app;
}
