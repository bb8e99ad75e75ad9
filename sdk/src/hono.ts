import type { Context, MiddlewareHandler } from 'hono';
import type { Keywarden } from './client.js';
import { keyFromHeader, refusalOf, UNAVAILABLE, type Refusal } from './refusal.js';
import { KeywardenUnavailableError, type ValidAnswer } from './types.js';

export interface KeyAuthOptions {
  keywarden: Keywarden;
  /** A permission query every request must satisfy. */
  permissions?: string;
  /** Read the key from this header instead of `Authorization` (Bearer or the bare key). */
  header?: string;
}

/** What `c.get('keywarden')` holds on a route behind `keyAuth`. */
export type KeyAuthVariables = { keywarden: ValidAnswer };

type NodeIncoming = { headers: Record<string, string | string[] | undefined>; socket?: { remoteAddress?: string } };

/** The Node adapter's (`@hono/node-server`) request, when there is one: its address, and its headers without building a `Request`. */
const incomingOf = (env: unknown) => (env as { incoming?: NodeIncoming } | undefined)?.incoming;

function headerOf(c: Context, incoming: NodeIncoming | undefined, name: string): string | undefined {
  if (!incoming) return c.req.header(name);
  const value = incoming.headers[name];
  return Array.isArray(value) ? value[0] : value;
}

/**
 * Hono middleware: verifies the request's key and refuses it itself (401, 403, 429, 503 as
 * problem+json); a request through it has the verify answer in `c.get('keywarden')`.
 */
export function keyAuth(options: KeyAuthOptions): MiddlewareHandler<{ Variables: KeyAuthVariables }> {
  const header = (options.header ?? 'authorization').toLowerCase();
  const refuse = (r: Refusal) => new Response(JSON.stringify(r.body), { status: r.status, headers: r.headers });
  return async (c, next) => {
    const incoming = incomingOf(c.env);
    const key = keyFromHeader(headerOf(c, incoming, header));
    if (!key) return refuse(refusalOf({ code: 'MISSING' }));
    const ip = incoming?.socket?.remoteAddress;
    const origin = headerOf(c, incoming, 'origin');
    let answer;
    try {
      answer = await options.keywarden.verify(key, {
        ...(options.permissions !== undefined ? { permissions: options.permissions } : {}),
        context: { ...(ip ? { ip } : {}), ...(origin ? { origin } : {}) },
      });
    } catch (err) {
      if (err instanceof KeywardenUnavailableError) return refuse(UNAVAILABLE);
      throw err;
    }
    if (!answer.valid) return refuse(refusalOf(answer));
    c.set('keywarden', answer);
    await next();
  };
}
