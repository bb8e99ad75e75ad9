import { z } from 'zod';
import { describe, expect, it } from 'vitest';
import { jsonSchemaOf, openApiDocument, type RouteDeclaration } from '../../server/http/openapi';
import { CreateKeyInput, CreatedKeySchema, KeyRowSchema, KeyStatusSchema, VerifyResultSchema } from '../../shared/schemas/key';
import { PublicIdSchema, TeamIdSchema } from '../../shared/schemas/common';
import { TOKEN_SCOPE_DESCRIPTIONS } from '../../shared/schemas/token';
import { expectValidOpenApi, openApiCheckerFor } from '../helpers/openapi';
import type { VerifyResult } from '../../server/services/verify.service';

/**
 * The OpenAPI generator (server/http/openapi.ts) on declarations of its own: what it makes
 * of parameters, bodies, dates and errors, and that the test helper's checker can fail.
 */

type Json = Record<string, any>;

/** The verify route answers the service's result as it is: the typecheck catches a variant or type the schema gets wrong (openapi.test.ts, an undescribed field). */
const _answerFitsSchema = (answer: VerifyResult): z.infer<typeof VerifyResultSchema> => answer;

/** Declarations shaped like the REST routes', from the shared schemas: the generator's own contract. */
const teamKey = z.object({ teamId: TeamIdSchema, keyId: PublicIdSchema });
const sample: RouteDeclaration[] = [
  {
    method: 'get',
    path: '/v1/teams/{teamId}/keys/{keyId}',
    operationId: 'getKey',
    summary: 'Read a key',
    scope: 'keys:read',
    params: teamKey,
    query: z.object({ view: z.array(KeyStatusSchema).optional(), limit: z.coerce.number().int().min(1).max(100).default(50) }),
    success: { status: 200, description: 'The key.', schema: KeyRowSchema },
  },
  {
    method: 'post',
    path: '/v1/teams/{teamId}/keys',
    operationId: 'createKey',
    summary: 'Create a key',
    scope: 'keys:write',
    params: z.object({ teamId: TeamIdSchema }),
    body: CreateKeyInput,
    success: { status: 201, description: 'The key, shown once, and its row.', schema: CreatedKeySchema },
  },
  {
    method: 'post',
    path: '/v1/teams/{teamId}/keys/{keyId}/revoke',
    operationId: 'revokeKey',
    summary: 'Revoke a key',
    scope: 'keys:revoke',
    params: teamKey,
    success: { status: 204, description: 'Revoked.', schema: null },
  },
];

describe('the generated document', () => {
  const doc = openApiDocument(sample) as Json;

  it('is a valid OpenAPI 3.1 document', async () => {
    await expectValidOpenApi(doc);
  });

  it('declares the bearer scheme and, per route, the scope it needs with what that scope allows', () => {
    expect(doc.components.securitySchemes.apiToken).toMatchObject({ type: 'http', scheme: 'bearer' });
    const create = doc.paths['/v1/teams/{teamId}/keys'].post;
    expect(create.security).toEqual([{ apiToken: ['keys:write'] }]);
    expect(create.description).toContain(TOKEN_SCOPE_DESCRIPTIONS['keys:write']);
    expect(doc.components.securitySchemes.apiToken.description).toContain('`keys:feed`');
  });

  it('describes path and query parameters, a comma-separated list as one form value', () => {
    const get = doc.paths['/v1/teams/{teamId}/keys/{keyId}'].get;
    const byName = Object.fromEntries(get.parameters.map((p: Json) => [p.name, p]));
    expect(byName.teamId).toMatchObject({ in: 'path', required: true, schema: { type: 'string' } });
    expect(byName.keyId).toMatchObject({ in: 'path', required: true });
    expect(byName.view).toMatchObject({ in: 'query', required: false, style: 'form', explode: false, schema: { type: 'array' } });
    // A default is not required of the caller (the input side of the schema).
    expect(byName.limit).toMatchObject({ in: 'query', required: false, schema: { type: 'integer', minimum: 1, maximum: 100, default: 50 } });
  });

  it('writes dates as ISO date-time strings, in answers and in bodies that coerce them', () => {
    const row = doc.paths['/v1/teams/{teamId}/keys/{keyId}'].get.responses['200'].content['application/json'].schema;
    expect(row.properties.createdAt).toEqual({ type: 'string', format: 'date-time' });
    expect(row.properties.expiresAt.anyOf).toContainEqual({ type: 'string', format: 'date-time' });
    const body = doc.paths['/v1/teams/{teamId}/keys'].post.requestBody.content['application/json'].schema;
    expect(body.properties.expiresAt).toEqual({ type: 'string', format: 'date-time' });
    expect(body.required).toEqual(['teamId', 'name']);
  });

  it('gives every REST route the problem+json errors, 401 with WWW-Authenticate and 429 with Retry-After', () => {
    for (const route of sample) {
      const op = doc.paths[route.path][route.method];
      expect(Object.keys(op.responses).sort()).toEqual([String(route.success.status), '400', '401', '403', '404', '429', '503', ...(route.body ? ['413'] : [])].sort());
      expect(op.responses['403']).toEqual({ $ref: '#/components/responses/Problem403' });
    }
    expect(doc.components.responses.Problem401.headers['WWW-Authenticate']).toBeDefined();
    expect(doc.components.responses.Problem429.headers['Retry-After']).toBeDefined();
    expect(doc.components.responses.Problem404.content['application/problem+json'].schema).toEqual({ $ref: '#/components/schemas/Problem' });
    expect(doc.components.schemas.Problem.required).toEqual(['type', 'title', 'status', 'detail', 'code']);
    expect(doc.paths['/v1/teams/{teamId}/keys/{keyId}/revoke'].post.responses['204'].content).toBeUndefined();
  });

  it('describes the public verify API from its shared schemas', () => {
    const verify = doc.paths['/v1/keys/verify'].post;
    expect(verify.security).toEqual([]);
    expect(verify.requestBody.content['application/json'].schema).toMatchObject({ required: ['key'] });
    const shared = {};
    expect(verify.responses['200'].content['application/json'].schema).toEqual(jsonSchemaOf(VerifyResultSchema, 'output', shared));
    // `meta` holds any JSON value: a recursive schema, kept once in the components and linked there.
    for (const [name, schema] of Object.entries(shared)) expect(doc.components.schemas[name]).toEqual(schema);
    expect(JSON.stringify(verify)).toContain('"#/components/schemas/Recursive_');
    expect(JSON.stringify(doc)).not.toContain('#/$defs/');
    expect(verify.responses['400'].content['application/json'].schema).toEqual({ $ref: '#/components/schemas/PlainError' });
  });

  it('refuses a schema it cannot represent instead of writing a wrong one', () => {
    const bad = { ...sample[0]!, success: { status: 200 as const, description: 'x', schema: z.object({ n: z.bigint() }) } };
    expect(() => openApiDocument([bad])).toThrow();
  });

  it('checks an answer against the document: an undocumented field or status fails', async () => {
    const api = openApiCheckerFor(doc);
    const row = { id: 'key_abc', name: 'n', hint: 'kw_…abcd', status: 'enabled', revokedReason: null, disabledReason: null, createdAt: new Date().toJSON(), expiresAt: null, revokedAt: null, lastUsedAt: null, generatedBy: { userId: 'usr_a', email: 'a@b.c', name: 'A', role: 'admin' }, usage: { last24h: 0, last7d: 0 }, triedAfterRevoke: 0, permissions: [], roles: [], restrictions: { ips: [], origins: [] }, meta: { plan: 'pro', limits: [1, { nested: true }] }, externalId: null };
    const answer = (status: number, body: unknown) => new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json' } });
    await expect(api.check('get', '/v1/teams/team_a/keys/key_abc', answer(200, row))).resolves.toEqual(row);
    await expect(api.check('get', '/v1/teams/team_a/keys/key_abc', answer(200, { ...row, createdAt: 'yesterday' }))).rejects.toThrow(/date-time/);
    await expect(api.check('get', '/v1/teams/team_a/keys/key_abc', answer(200, { ...row, pepper: 'x' }))).rejects.toThrow(/additional/);
    await expect(api.check('get', '/v1/teams/team_a/keys/key_abc', answer(500, {}))).rejects.toThrow(/does not list/);
  });
});

