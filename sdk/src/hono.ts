import type { MiddlewareHandler } from 'hono';
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

/** The caller's address as the Node adapter (`@hono/node-server`) hands it over; absent on other runtimes. */
function addressOf(env: unknown): string | undefined {
  return (env as { incoming?: { socket?: { remoteAddress?: string } } } | undefined)?.incoming?.socket?.remoteAddress;
}

/**
 * Hono middleware: verifies the request's key and refuses it itself (401, 403, 429, 503 as
 * problem+json); a request through it has the verify answer in `c.get('keywarden')`.
 */
export function keyAuth(options: KeyAuthOptions): MiddlewareHandler<{ Variables: KeyAuthVariables }> {
  const header = options.header ?? 'authorization';
  const refuse = (r: Refusal) => new Response(JSON.stringify(r.body), { status: r.status, headers: r.headers });
  return async (c, next) => {
    const key = keyFromHeader(c.req.header(header));
    if (!key) return refuse(refusalOf({ code: 'MISSING' }));
    const ip = addressOf(c.env);
    const origin = c.req.header('origin');
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
