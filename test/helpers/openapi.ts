import { Validator } from '@seriousme/openapi-schema-validator';
import { Ajv2020, type ValidateFunction } from 'ajv/dist/2020';
import { expect } from 'vitest';
import type { TestServer } from './harness';
import { rest, type RestAnswer } from './rest';

/**
 * Checks REST answers against the server's own OpenAPI document: the answer's status
 * must be one the document lists for that route, its content type the one listed, and
 * its body must match the listed schema (ajv, JSON Schema 2020-12, OpenAPI 3.1's dialect).
 * One checker per server: `const api = await openApiChecker(server.url)`, then
 * `const body = await api.check('post', '/v1/teams/t/keys', res)` in place of `res.json()`.
 */

type Json = Record<string, unknown>;
const DOC_ID = 'openapi.json';

/** RFC 3339 date-times as `Date#toJSON` writes them (and any offset a client may send). */
const DATE_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/i;

export interface OpenApiChecker {
  doc: Json;
  /** Validates `res` (read once) for the operation that `method` + the request path name; returns its body. */
  check(method: string, url: string, res: Response): Promise<unknown>;
  /** Every `METHOD /template` checked so far with a success status. */
  succeeded: Set<string>;
  /** Every `METHOD /template status` checked so far. */
  seen: Set<string>;
}

/** The route template (`/v1/teams/{teamId}/keys/{keyId}`) a request path matches, if any. */
export function templateOf(doc: Json, method: string, path: string): string | null {
  const paths = doc.paths as Record<string, Json>;
  // Literal segments first: `/keys/revoke` is its own route, not `/keys/{keyId}`.
  const holes = (template: string) => template.split('{').length;
  const candidates = Object.keys(paths).sort((a, b) => holes(a) - holes(b));
  for (const template of candidates) {
    const pattern = new RegExp(`^${template.replace(/[.*+?^$()|[\]\\]/g, '\\$&').replace(/\{[^}]+\}/g, '[^/]+')}$`);
    if (pattern.test(path) && paths[template]![method.toLowerCase()]) return template;
  }
  return null;
}

const pointer = (...parts: string[]) => parts.map((p) => p.replace(/~/g, '~0').replace(/\//g, '~1')).join('/');

export function openApiCheckerFor(doc: Json): OpenApiChecker {
  const ajv = new Ajv2020({ strict: false, allErrors: true, formats: { 'date-time': DATE_TIME } });
  // The whole document as one schema resource: a response schema's `#/components/...` refs resolve inside it.
  ajv.addSchema(doc, DOC_ID);
  const validators = new Map<string, ValidateFunction>();
  const validatorAt = (path: string) => {
    let validate = validators.get(path);
    if (!validate) {
      validate = ajv.getSchema(`${DOC_ID}#/${path}`);
      if (!validate) throw new Error(`no schema at ${path}`);
      validators.set(path, validate);
    }
    return validate;
  };
  const resolve = (value: Json): Json => {
    const ref = value.$ref;
    if (typeof ref !== 'string') return value;
    let target: unknown = doc;
    for (const part of ref.replace(/^#\//, '').split('/')) target = (target as Json)[part.replace(/~1/g, '/').replace(/~0/g, '~')];
    return resolve(target as Json);
  };

  const checker: OpenApiChecker = {
    doc,
    succeeded: new Set(),
    seen: new Set(),
    async check(method, url, res) {
      const m = method.toLowerCase();
      const path = new URL(url, 'http://x').pathname;
      const template = templateOf(doc, m, path);
      expect(template, `${method.toUpperCase()} ${path} is not in the OpenAPI document`).not.toBeNull();
      const responses = ((doc.paths as Record<string, Record<string, Json>>)[template!]![m]!.responses ?? {}) as Record<string, Json>;
      const status = String(res.status);
      const text = await res.text();
      expect(Object.keys(responses), `${m.toUpperCase()} ${template} answered ${status}, which the document does not list (body: ${text.slice(0, 300)})`).toContain(status);
      checker.seen.add(`${m.toUpperCase()} ${template} ${status}`);
      if (res.status < 300) checker.succeeded.add(`${m.toUpperCase()} ${template}`);
      const response = resolve(responses[status]!);
      const content = (response.content ?? {}) as Record<string, Json>;
      const types = Object.keys(content);
      if (types.length === 0) {
        expect(text, `${m.toUpperCase()} ${template} ${status} has no body in the document`).toBe('');
        return null;
      }
      const contentType = (res.headers.get('content-type') ?? '').split(';')[0]!.trim();
      expect(types, `${m.toUpperCase()} ${template} ${status} content type`).toContain(contentType);
      const body: unknown = JSON.parse(text);
      // Through the response object as the operation names it, so a `$ref`'d response is followed by ajv too.
      const validate = validatorAt(
        typeof responses[status]!.$ref === 'string'
          ? `${(responses[status]!.$ref as string).replace(/^#\//, '')}/${pointer('content', contentType, 'schema')}`
          : pointer('paths', template!, m, 'responses', status, 'content', contentType, 'schema'),
      );
      const ok = validate(body);
      expect(ok, `${m.toUpperCase()} ${template} ${status} does not match the document: ${ajv.errorsText(validate.errors)}\n${text.slice(0, 500)}`).toBe(true);
      return body;
    },
  };
  return checker;
}

/** Fetches the server's document (itself checked to be JSON) and makes a checker over it. */
export async function openApiChecker(baseUrl: string): Promise<OpenApiChecker> {
  const res = await fetch(`${baseUrl}/v1/openapi.json`);
  expect(res.status).toBe(200);
  return openApiCheckerFor((await res.json()) as Json);
}

const checkers = new Map<string, Promise<OpenApiChecker>>();
/** One checker per server, made on first use. */
export function checkerOf(server: { url: string }): Promise<OpenApiChecker> {
  let checker = checkers.get(server.url);
  if (!checker) checkers.set(server.url, (checker = openApiChecker(server.url)));
  return checker;
}

/**
 * `rest()` (test/helpers/rest.ts), with every answer checked against the server's OpenAPI
 * document for its route and status: a drop-in for REST tests.
 */
export async function checkedRest<T = any>(server: TestServer, token: string | null, method: string, path: string, body?: unknown, headers: Record<string, string> = {}): Promise<RestAnswer<T>> {
  const answer = await rest<T>(server, token, method, path, body, headers);
  const checker = await checkerOf(server);
  // rest() has read the body: the checker gets the same answer again, byte for byte as JSON.
  await checker.check(method, path, new Response(answer.body === null ? null : JSON.stringify(answer.body), { status: answer.status, headers: answer.headers }));
  return answer;
}

/** Asserts that `doc` is a valid OpenAPI 3.1 document (@seriousme/openapi-schema-validator). */
export async function expectValidOpenApi(doc: unknown) {
  const validator = new Validator();
  const result = await validator.validate(doc as Record<string, unknown>);
  expect(result.errors ?? []).toEqual([]);
  expect(result.valid).toBe(true);
  expect(validator.version).toBe('3.1');
}
