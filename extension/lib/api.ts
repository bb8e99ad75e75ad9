import { createTRPCClient, httpLink } from '@trpc/client';
import type { inferRouterInputs, inferRouterOutputs } from '@trpc/server';
import superjson from 'superjson';
import type { AppRouter } from '../../server/trpc/router';
import type { Session } from './storage';

/** The only thing taken from the server: its router's type. No server code is bundled. */
export type RouterOutputs = inferRouterOutputs<AppRouter>;
export type RouterInputs = inferRouterInputs<AppRouter>;

export function normalizeServerUrl(url: string): string {
  return url.trim().replace(/\/+$/, '');
}

/**
 * A tRPC client for one server and (optionally) one session token. httpLink,
 * not the batch link: the popup fires a few independent queries at once and
 * shows each as soon as it lands. Queries go out as POST too: several take a
 * full API key as input (keys.lookup, keys.findByValue, a list search), and a
 * GET would put it in the URL, where proxies and access logs keep it.
 */
export function createApi(serverUrl: string, token: string | null, fetchImpl?: typeof fetch) {
  return createTRPCClient<AppRouter>({
    links: [
      httpLink({
        url: `${normalizeServerUrl(serverUrl)}/trpc`,
        methodOverride: 'POST',
        transformer: superjson,
        headers: () => (token ? { authorization: `Bearer ${token}` } : {}),
        // Resolved per request, so tests (and the worker's fetch counter) see every call.
        fetch: (input, init) => (fetchImpl ?? globalThis.fetch)(input as RequestInfo, init as RequestInit),
      }),
    ],
  });
}
export type Api = ReturnType<typeof createApi>;

/** The client of a signed-in session: its server, its token. */
export const sessionApi = (session: Pick<Session, 'serverUrl' | 'token'>): Api => createApi(session.serverUrl, session.token);

/**
 * A plain authenticated GET (CSV exports are Hono routes, not tRPC). Throws an
 * HttpError carrying the status so callers can tell 401 from 403 from 5xx.
 */
export async function authedGet(serverUrl: string, token: string, path: string): Promise<Response> {
  const res = await fetch(`${normalizeServerUrl(serverUrl)}${path}`, { headers: { authorization: `Bearer ${token}` } });
  if (!res.ok) {
    let message = `${res.status} ${res.statusText}`;
    try {
      const body = (await res.json()) as { message?: string; error?: string };
      message = body.message ?? body.error ?? message;
    } catch {
      // Not JSON: keep the status line.
    }
    throw new HttpError(res.status, message);
  }
  return res;
}

export class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}
