import { createHash } from 'node:crypto';
import { z } from 'zod';
import { PlainErrorSchema } from '../../shared/schemas/plain-error';
import { ProblemSchema } from '../../shared/schemas/rest';
import { TOKEN_SCOPE_DESCRIPTIONS, TOKEN_SCOPES } from '../../shared/schemas/token';
import { VerifyRequestSchema, VerifyResultSchema } from '../../shared/schemas/key';
import { AppError, httpStatus, type AppErrorCode } from '../errors';
import type { RestRoute } from './rest/route';

/**
 * The OpenAPI 3.1 document of the REST API and the verify API, generated from the
 * declared routes and their zod schemas in `shared/` (zod's own JSON Schema
 * conversion, draft 2020-12, which is OpenAPI 3.1's dialect): no schema is copied by
 * hand, so the document cannot drift from what the routes accept and send.
 */

type JsonSchema = Record<string, unknown>;
/** The declaration without its handler: all the document needs. */
export type RouteDeclaration = Omit<RestRoute, 'handler'>;

export const SECURITY_SCHEME = 'apiToken';
/**
 * Every error code a REST route may answer, and when: the reference page gives each an
 * anchor, which is what a problem's `type` links to (`/v1/docs#problem-not-found`).
 */
export const PROBLEM_CODES: Record<AppErrorCode, string> = {
  BAD_REQUEST: 'Bad input: `detail` names the field.',
  UNAUTHORIZED: 'A missing, invalid, expired or revoked token, or one whose creator is no longer an admin of the team.',
  FORBIDDEN: 'The token lacks the scope this route needs: `detail` names it.',
  NOT_FOUND: 'Another team, or no such key.',
  METHOD_NOT_ALLOWED: 'The path names a route, but not with this method: `Allow` lists the methods it takes.',
  CONFLICT: 'The change conflicts with the current state (say, a key that is not in the state the action needs).',
  PRECONDITION_FAILED: 'A condition of the request no longer holds.',
  PAYLOAD_TOO_LARGE: 'The body is larger than the route accepts.',
  TOO_MANY_REQUESTS: 'Over the rate limits: retry after `Retry-After` seconds.',
  INTERNAL_SERVER_ERROR: 'A failure of the server; nothing is said about the cause.',
  SERVICE_UNAVAILABLE: 'The database is unreachable for now: retry later.',
  GONE: 'The change feed no longer holds events after `after` (kept 7 days): drop every cached answer and start again without `after`.',
};
/** The errors every REST route lists in the document (a route with a body lists 413 too). */
const ROUTE_PROBLEMS: AppErrorCode[] = ['BAD_REQUEST', 'UNAUTHORIZED', 'FORBIDDEN', 'NOT_FOUND', 'TOO_MANY_REQUESTS', 'SERVICE_UNAVAILABLE'];
export const problemStatus = (code: AppErrorCode) => httpStatus(new AppError(code, code));
export const problemAnchor = (code: AppErrorCode) => `problem-${code.toLowerCase().replaceAll('_', '-')}`;

/**
 * JSON carries dates as ISO 8601 strings (`Date#toJSON`), which is what the routes send
 * and what `z.coerce.date()` inputs accept. Anything else zod cannot represent is a
 * mistake in a schema, and fails the generation.
 */
const unrepresentable = ({ zodSchema }: { zodSchema: { _zod: { def: { type: string } } } }) =>
  zodSchema._zod.def.type === 'date' ? { type: 'string' as const, format: 'date-time' } : ('throw' as const);

/** The document's shared schemas (`components.schemas`), filled as operations are converted. */
export type SharedSchemas = Record<string, JsonSchema>;

/**
 * One schema as JSON Schema: what a client sends (`input`: before defaults, coercion and
 * transforms) or what it receives (`output`). Schemas are inlined, except the recursive
 * ones zod puts in `$defs` (any JSON value, as in `meta`): a `#/$defs/…` inside an operation
 * would resolve against the document's root, so they move to `components.schemas`, named
 * by their content (the same schema from two routes is one component).
 */
export function jsonSchemaOf(schema: z.ZodType, io: 'input' | 'output', shared?: SharedSchemas): JsonSchema {
  const { $schema: _dialect, $defs, ...json } = z.toJSONSchema(schema, { target: 'draft-2020-12', io, unrepresentable }) as JsonSchema;
  if (!$defs) return json;
  if (!shared) throw new Error('OpenAPI: a recursive schema needs the document to hold its $defs');
  const defs = $defs as Record<string, JsonSchema>;
  const local = (text: string) => text.replace(/"#\/\$defs\/[^"]+"/g, '"#/$defs/*"');
  const names = new Map(Object.entries(defs).map(([id, def]) => [id, `Recursive_${createHash('sha256').update(local(JSON.stringify(def))).digest('hex').slice(0, 10)}`]));
  const relink = (value: unknown): JsonSchema => JSON.parse(JSON.stringify(value).replace(/"#\/\$defs\/([^"]+)"/g, (_, id: string) => `"#/components/schemas/${names.get(id)}"`));
  for (const [id, def] of Object.entries(defs)) shared[names.get(id)!] ??= relink(def);
  return relink(json);
}

/**
 * Parameters arrive as strings that the route's schema parses (`"enabled,disabled"` into a
 * list, `"50"` into a number): each is described by what it parses into, the way OpenAPI
 * describes a parameter, and as sent when that cannot be said (a bare transform).
 */
function parameterSchema(schema: z.ZodType, asSent: JsonSchema, shared: SharedSchemas): JsonSchema {
  try {
    return jsonSchemaOf(schema, 'output', shared);
  } catch {
    return asSent;
  }
}

function parametersOf(schema: z.ZodObject | undefined, where: 'path' | 'query', shared: SharedSchemas) {
  if (!schema) return [];
  const json = jsonSchemaOf(schema, 'input', shared);
  const properties = (json.properties ?? {}) as Record<string, JsonSchema>;
  const required = new Set((json.required ?? []) as string[]);
  return Object.entries(properties).map(([name, asSent]) => {
    const { description, ...propertySchema } = parameterSchema(schema.shape[name] as z.ZodType, asSent, shared);
    return {
      name,
      in: where,
      // Required as sent: a parameter with a default may be left out.
      required: where === 'path' || required.has(name),
      ...(typeof description === 'string' ? { description } : typeof asSent.description === 'string' ? { description: asSent.description } : {}),
      schema: propertySchema,
      // A list in a query is one comma-separated value: `?view=enabled,disabled`.
      ...(propertySchema.type === 'array' ? { style: 'form', explode: false } : {}),
    };
  });
}

const json = (schema: JsonSchema, type = 'application/json') => ({ content: { [type]: { schema } } });
const ref = (kind: 'responses' | 'schemas', name: string) => ({ $ref: `#/components/${kind}/${name}` });
const problemName = (code: AppErrorCode) => `Problem${problemStatus(code)}`;
const RETRY_AFTER = { description: 'Seconds to wait before retrying.', schema: { type: 'string', pattern: '^[0-9]+$' } };

const problemsOf = (route: RouteDeclaration): AppErrorCode[] => [...ROUTE_PROBLEMS, ...(route.body ? (['PAYLOAD_TOO_LARGE'] as const) : []), ...(route.problems ?? [])];

function operationOf(route: RouteDeclaration, shared: SharedSchemas) {
  const tag = route.path.split('/')[4] ?? 'teams';
  const responses: Record<string, unknown> = {
    [route.success.status]: {
      description: route.success.description,
      ...(route.success.schema ? json(jsonSchemaOf(route.success.schema, 'output', shared)) : {}),
    },
  };
  for (const code of problemsOf(route)) responses[problemStatus(code)] = ref('responses', problemName(code));
  return {
    operationId: route.operationId,
    summary: route.summary,
    description: `Needs a token with the \`${route.scope}\` scope: ${TOKEN_SCOPE_DESCRIPTIONS[route.scope]}`,
    tags: [tag],
    security: [{ [SECURITY_SCHEME]: [route.scope] }],
    parameters: [...parametersOf(route.params, 'path', shared), ...parametersOf(route.query, 'query', shared)],
    ...(route.body ? { requestBody: { required: true, ...json(jsonSchemaOf(route.body, 'input', shared)) } } : {}),
    responses,
  };
}

/** The verify API: public (the key is the body, never a header), its errors in the plain `{ error, message }` shape. */
function verifyOperation(shared: SharedSchemas) {
  const plainError = (description: string) => ({ description, ...json(ref('schemas', 'PlainError')) });
  return {
    operationId: 'verifyKey',
    summary: 'Verify an API key',
    description:
      'Answers 200 for any well-formed request: whether the key works (and, given a `permissions` query, whether it holds them) is `valid`; when it does not, `code` says why.',
    tags: ['verify'],
    security: [],
    requestBody: { required: true, ...json(jsonSchemaOf(VerifyRequestSchema, 'input', shared)) },
    responses: {
      200: { description: 'The key works (with its ids), or why it does not.', ...json(jsonSchemaOf(VerifyResultSchema, 'output', shared)) },
      400: plainError('The body is not a verify request (`{"key": "kw_…"}`), or its `permissions` query does not parse: `message` says which.'),
      429: { ...plainError('Over the rate limits: retry after `Retry-After` seconds.'), headers: { 'Retry-After': RETRY_AFTER } },
      503: plainError(PROBLEM_CODES.SERVICE_UNAVAILABLE),
    },
  };
}

function components(routes: readonly RouteDeclaration[], shared: SharedSchemas) {
  const responses: Record<string, unknown> = {};
  for (const code of [...new Set(routes.flatMap(problemsOf))]) {
    const status = problemStatus(code);
    const headers: Record<string, unknown> = {};
    if (status === 401) headers['WWW-Authenticate'] = { description: 'Always `Bearer` (RFC 6750).', schema: { type: 'string', pattern: '^Bearer' } };
    if (status === 429) headers['Retry-After'] = RETRY_AFTER;
    responses[problemName(code)] = {
      description: PROBLEM_CODES[code],
      ...(Object.keys(headers).length ? { headers } : {}),
      ...json(ref('schemas', 'Problem'), 'application/problem+json'),
    };
  }
  const scopes = TOKEN_SCOPES.map((scope) => `- \`${scope}\`: ${TOKEN_SCOPE_DESCRIPTIONS[scope]}`).join('\n');
  return {
    securitySchemes: {
      [SECURITY_SCHEME]: {
        type: 'http',
        scheme: 'bearer',
        bearerFormat: 'kwt_ + 36 base62 characters',
        description: `A team API token (\`Authorization: Bearer kwt_…\`), created by a team admin. Each route needs one scope:\n\n${scopes}`,
      },
    },
    schemas: {
      Problem: jsonSchemaOf(ProblemSchema, 'output', shared),
      PlainError: jsonSchemaOf(PlainErrorSchema, 'output', shared),
      ...shared,
    },
    responses,
  };
}

/** The document's own version (`info.version`); the API's is in its paths (`/v1`). */
const DOCUMENT_VERSION = '1.0.0';

/** The whole document; `routes` are the REST routes as declared (server/http/rest). */
export function openApiDocument(routes: readonly RouteDeclaration[]) {
  const paths: Record<string, Record<string, unknown>> = {};
  const shared: SharedSchemas = {};
  for (const route of routes) (paths[route.path] ??= {})[route.method] = operationOf(route, shared);
  paths['/v1/keys/verify'] = { post: verifyOperation(shared) };
  return {
    openapi: '3.1.0',
    info: {
      title: 'Keywarden REST API',
      version: DOCUMENT_VERSION,
      description:
        'Manage a team\'s API keys from scripts and services. Every route under `/v1/teams/{teamId}/` takes a team API token ' +
        '(`Authorization: Bearer kwt_…`) with the scope the route names; JSON in and out; errors are `application/problem+json`.',
    },
    security: [{ [SECURITY_SCHEME]: [] }],
    paths,
    components: components(routes, shared),
  };
}
export type OpenApiDocument = ReturnType<typeof openApiDocument>;
