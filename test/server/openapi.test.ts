import { Window } from 'happy-dom';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { restRoutes } from '../../server/http/rest/routes';
import { TOKEN_SCOPES } from '../../shared/schemas/token';
import { createTeam, startTestServer, type TestServer } from '../helpers/harness';
import { seedKey } from '../helpers/keys';
import { checkedRest, checkerOf, expectValidOpenApi, openApiChecker, type OpenApiChecker } from '../helpers/openapi';
import { tokenOf } from '../helpers/rest';

/**
 * `GET /v1/openapi.json` and `GET /v1/docs` over real HTTP: the document is valid OpenAPI 3.1,
 * what the server really sends on every REST route (and the verify API) matches it, and the
 * reference page is complete and loads nothing from another origin.
 */

type Json = Record<string, any>;

describe('GET /v1/openapi.json and /v1/docs', () => {
  let server: TestServer;
  let api: OpenApiChecker;
  beforeAll(async () => {
    server = await startTestServer({ label: 'openapi' });
    api = await openApiChecker(server.url);
  });
  afterAll(() => server.close());

  it('serves a valid OpenAPI 3.1 document with the bearer scheme', async () => {
    await expectValidOpenApi(api.doc);
    expect((api.doc as Json).components.securitySchemes.apiToken.scheme).toBe('bearer');
  });

  it('describes what the verify API really answers, for a working key and for junk', async () => {
    const team = await createTeam(server, 'Verifiers');
    const key = await seedKey(server, { teamId: team.teamId, ownerId: team.admin.userId, expiresAt: new Date(Date.now() + 86_400_000) });
    const post = (body: unknown) => fetch(`${server.url}/v1/keys/verify`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
    expect(await api.check('post', '/v1/keys/verify', await post({ key: key.value }))).toMatchObject({ valid: true, keyId: key.id });
    expect(await api.check('post', '/v1/keys/verify', await post({ key: 'kw_nonsense' }))).toEqual({ valid: false, code: 'MALFORMED' });
    expect(await api.check('post', '/v1/keys/verify', await post({ nokey: 1 }))).toMatchObject({ error: 'BAD_REQUEST' });
  });

  it('serves a reference page listing every operation, under a strict Content-Security-Policy', async () => {
    const res = await fetch(`${server.url}/v1/docs`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/html/);
    const csp = res.headers.get('content-security-policy') ?? '';
    expect(csp).toContain("default-src 'none'");
    expect(csp).not.toMatch(/unsafe-inline|unsafe-eval|https?:|\*/);
    const page = parse(await res.text());
    const ops = Object.values((api.doc as Json).paths).flatMap((item) => Object.values(item as Json)) as Json[];
    for (const op of ops) expect(page.getElementById(op.operationId), op.operationId).not.toBeNull();
    for (const path of Object.keys((api.doc as Json).paths)) expect(page.body.textContent).toContain(path);
    // Searchable: every operation carries the words the filter matches, and the box is there.
    expect(page.querySelector('input[type="search"]')).not.toBeNull();
    expect(page.querySelectorAll('.op[data-search]').length).toBe(ops.length);
  });

  it('loads nothing from another origin: no src, href, @import or url() leaves the page', async () => {
    const html = await (await fetch(`${server.url}/v1/docs`)).text();
    const page = parse(html);
    const base = `${server.url}/v1/docs`;
    const urls: string[] = [];
    for (const el of page.querySelectorAll('*')) {
      for (const attr of ['src', 'href', 'action', 'formaction', 'srcset', 'poster', 'data', 'background']) {
        const value = el.getAttribute(attr);
        if (value !== null) urls.push(value);
      }
      const style = el.getAttribute('style');
      if (style) urls.push(...cssUrls(style));
    }
    for (const style of page.querySelectorAll('style')) urls.push(...cssUrls(style.textContent ?? ''));
    expect(page.querySelectorAll('script[src], link[rel="stylesheet"], link[rel="preload"], iframe, object, embed, img, meta[http-equiv]').length).toBe(0);
    expect(urls.length).toBeGreaterThan(0); // the link to openapi.json: the check reads real attributes
    for (const url of urls) expect(new URL(url, base).origin, url).toBe(new URL(base).origin);
  });
});

/** The URLs a piece of CSS would load: `@import "…"`, `@import url(…)` and `url(…)`. */
function cssUrls(css: string): string[] {
  const found = [...css.matchAll(/url\(\s*(['"]?)([^'")]+)\1\s*\)/gi)].map((m) => m[2]!);
  found.push(...[...css.matchAll(/@import\s+(['"])([^'"]+)\1/gi)].map((m) => m[2]!));
  return found;
}

function parse(html: string) {
  const window = new Window();
  return new window.DOMParser().parseFromString(html, 'text/html') as unknown as Document;
}

describe('every REST route answers what the document says', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer({ label: 'openapiroutes', env: { WEBHOOKS_ALLOW_HTTP_LOOPBACK: 'true' } });
  });
  afterAll(() => server.close());

  it('exercises each route, and each answer (successes and problems) matches its route and status', async () => {
    const team = await createTeam(server, 'Documented');
    const other = await createTeam(server, 'Elsewhere');
    const member = await team.addUser('member');
    const { token } = await tokenOf(team.admin, team.teamId, [...TOKEN_SCOPES]);
    const readOnly = (await tokenOf(team.admin, team.teamId, ['keys:read'])).token;
    const base = `/v1/teams/${team.teamId}`;
    const call = (method: string, path: string, body?: unknown, as: string | null = token) => checkedRest(server, as, method, `${base}${path}`, body);

    const created = await call('POST', '/keys', { name: 'deploy 42', expiresInDays: 7, ownerId: member.userId });
    expect(created.status).toBe(201);
    const second = await call('POST', '/keys', { name: 'deploy 43' });
    const keyId = created.body.row.id;
    expect((await call('GET', '/keys?view=enabled,disabled&sort=oldest&limit=5')).body.items).toHaveLength(2);
    expect((await call('GET', `/keys/${keyId}`)).body).toMatchObject({ id: keyId, status: 'enabled' });
    expect((await call('PATCH', `/keys/${keyId}`, { meta: { plan: 'pro', quota: [1, { burst: true }] } })).body.meta).toEqual({ plan: 'pro', quota: [1, { burst: true }] });
    // Limits too (issue 25), through the same keys.update.
    const limited = (await call('PATCH', `/keys/${keyId}`, { ratelimits: [{ name: 'burst', limit: 5, durationMs: 1000 }], credits: { remaining: 50, refill: null } })).body;
    expect(limited).toMatchObject({ ratelimits: [{ name: 'burst', limit: 5, durationMs: 1000, autoApply: true }], credits: { remaining: 50 } });
    expect((await call('POST', `/keys/${keyId}/disable`)).status).toBe(200);
    expect((await call('POST', `/keys/${keyId}/enable`)).status).toBe(200);
    expect((await call('POST', `/keys/${keyId}/revoke`)).body).toMatchObject({ status: 'revoked' });
    expect((await call('POST', '/keys/revoke', { keyIds: [keyId, second.body.row.id] })).body).toEqual({ revoked: [second.body.row.id], alreadyRevoked: [keyId], notFound: [] });
    expect((await call('GET', '/audit?limit=5')).status).toBe(200);
    expect((await call('GET', '/members')).status).toBe(200);
    expect((await call('GET', '/usage?range=7d')).status).toBe(200);
    const feed = await call('GET', '/keys/changes?after=0');
    expect(feed.body.events.map((e: { kind: string }) => e.kind)).toContain('revoked');
    // An "after" the feed does not hold (here: beyond its head) is the documented 410.
    expect((await call('GET', `/keys/changes?after=${feed.body.next + 1000}`)).status).toBe(410);

    // The webhooks (webhooks:write). The endpoint is never called here but by the test event, whose answer does not matter.
    const hook = await call('POST', '/webhooks', { url: 'http://127.0.0.1:9/hook', events: ['key.revoked'] });
    expect(hook.status).toBe(201);
    const hookPath = `/webhooks/${hook.body.endpoint.id}`;
    expect((await call('GET', '/webhooks')).body).toHaveLength(1);
    expect((await call('PATCH', hookPath, { description: 'documented' })).body).toMatchObject({ description: 'documented' });
    expect((await call('POST', `${hookPath}/rotate-secret`)).status).toBe(200);
    expect((await call('POST', `${hookPath}/test`)).status).toBe(202);
    expect((await call('GET', `${hookPath}/deliveries?limit=5`)).status).toBe(200);
    expect((await call('DELETE', hookPath)).body).toEqual({ deleted: true });

    // The problems, each checked against the document too.
    expect((await call('GET', '/keys', undefined, null)).status).toBe(401);
    expect((await call('GET', '/keys', undefined, `kwt_${'x'.repeat(36)}`)).status).toBe(401);
    expect((await call('POST', '/keys', { name: 'nope' }, readOnly)).body.detail).toContain('keys:write');
    expect((await checkedRest(server, token, 'GET', `/v1/teams/${other.teamId}/keys`)).status).toBe(404);
    expect((await call('GET', '/keys/key_doesnotexist')).status).toBe(404);
    expect((await call('POST', '/keys', { name: '' })).status).toBe(400);
    expect((await call('GET', '/usage?range=1y')).status).toBe(400);
    // Over any body limit a route has (tRPC's 64 KiB is the largest).
    expect((await call('POST', '/keys', { name: 'x'.repeat(70 * 1024) })).status).toBe(413);

    const api = await checkerOf(server);
    const restOperations = Object.entries((api.doc as Json).paths as Json)
      .filter(([path]) => path.startsWith('/v1/teams/'))
      .flatMap(([path, item]) => Object.keys(item as Json).map((method) => `${method.toUpperCase()} ${path}`));
    expect(restOperations.length).toBeGreaterThanOrEqual(10);
    expect([...api.succeeded].filter((op) => op.includes('/v1/teams/')).sort()).toEqual(restOperations.sort());
    for (const status of [400, 401, 403, 404, 413]) expect([...api.seen].some((s) => s.endsWith(` ${status}`)), String(status)).toBe(true);
  });

  it('lists every declared REST route with its scope under the bearer scheme', async () => {
    const api = await checkerOf(server);
    const doc = api.doc as Json;
    const routes = restRoutes(server.services);
    for (const route of routes) {
      const op = doc.paths[route.path]?.[route.method];
      expect(op, `${route.method} ${route.path}`).toBeDefined();
      expect(op.operationId).toBe(route.operationId);
      expect(op.security).toEqual([{ apiToken: [route.scope] }]);
    }
    expect(Object.keys(doc.paths).sort()).toEqual([...new Set([...routes.map((r) => r.path), '/v1/keys/verify'])].sort());
  });

  it("links each problem's type to its anchor on the reference page", async () => {
    const problem = await checkedRest(server, null, 'GET', '/v1/teams/team_x/keys');
    const [path, anchor] = String(problem.body.type).split('#');
    expect(path).toBe('/v1/docs');
    const page = parse(await (await fetch(`${server.url}/v1/docs`)).text());
    expect(page.getElementById(anchor!)?.textContent).toContain('UNAUTHORIZED');
  });
});

describe('the documents are public routes with the public limits', () => {
  it('answers an address over its rate with 429 and Retry-After; REST answers its own 429 as documented', async () => {
    // One request per bucket, refilled once in 100 s: the second is over, with no race against the clock.
    const limited = await startTestServer({ label: 'openapilim', env: { RATE_LIMIT_PER_IP: '0.01', RATE_LIMIT_PER_SESSION: '0.01', RATE_LIMIT_BURST_SECONDS: '100' } });
    try {
      const api = await checkerOf(limited); // the address's one request: GET /v1/openapi.json
      const refused = await fetch(`${limited.url}/v1/docs`);
      expect(refused.status).toBe(429);
      expect(Number(refused.headers.get('retry-after'))).toBeGreaterThan(0);

      const team = await createTeam(limited, 'Hasty');
      const { token } = await tokenOf(team.admin, team.teamId, ['members:read']);
      expect((await checkedRest(limited, token, 'GET', `/v1/teams/${team.teamId}/members`)).status).toBe(200);
      const over = await checkedRest(limited, token, 'GET', `/v1/teams/${team.teamId}/members`);
      expect(over.status).toBe(429);
      expect(Number(over.headers.get('retry-after'))).toBeGreaterThan(0);
      expect([...api.seen]).toContain('GET /v1/teams/{teamId}/members 429');
    } finally {
      await limited.close();
    }
  });
});
