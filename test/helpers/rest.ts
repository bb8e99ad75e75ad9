import { expect } from 'vitest';
import type { TokenScope } from '../../shared/schemas/token';
import type { TestServer, TestUser } from './harness';

/** One REST answer: status, headers and the parsed JSON body (null when empty). */
export interface RestAnswer<T = any> {
  status: number;
  headers: Headers;
  body: T;
}

/** Calls the REST API over real HTTP with a bearer token (or none). */
export async function rest<T = any>(server: TestServer, token: string | null, method: string, path: string, body?: unknown, headers: Record<string, string> = {}): Promise<RestAnswer<T>> {
  const res = await fetch(`${server.url}${path}`, {
    method,
    headers: { ...(token ? { authorization: `Bearer ${token}` } : {}), ...(body === undefined ? {} : { 'content-type': 'application/json' }), ...headers },
    body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
  });
  const text = await res.text();
  return { status: res.status, headers: res.headers, body: text ? JSON.parse(text) : null };
}

/** A team API token made through `tokens.create` by this admin. */
export async function tokenOf(admin: TestUser, teamId: string, scopes: TokenScope[], name = `token ${scopes.join(' ')}`, expiresInDays?: number) {
  return admin.api.tokens.create.mutate({ teamId, name, scopes, expiresInDays });
}

/** The RFC 9457 fields every REST failure carries, for `toMatchObject`. */
export const problemShape = (status: number, code: string) => ({ type: expect.any(String), title: expect.any(String), status, detail: expect.any(String), code });
