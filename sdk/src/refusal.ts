import type { InvalidAnswer, RateLimitState } from './types.js';

/** What a middleware answers instead of calling the route: status, headers and a problem+json body. */
export interface Refusal {
  status: 401 | 403 | 429 | 503;
  headers: Record<string, string>;
  body: { type: string; title: string; status: number; detail: string; code: string };
}

const FORBIDDEN_CODES = new Set(['FORBIDDEN', 'INSUFFICIENT_PERMISSIONS', 'IP_NOT_ALLOWED', 'ORIGIN_NOT_ALLOWED']);
const LIMIT_CODES = new Set(['RATE_LIMITED', 'USAGE_EXCEEDED']);
/** Without a window to wait for (credits used up), a client is told to come back in a day. */
const NO_WINDOW_RETRY_SECONDS = 86_400;

const DETAIL: Record<string, string> = {
  MISSING: 'Send an API key as "Authorization: Bearer kw_…".',
  MALFORMED: 'This is not a Keywarden API key (its prefix or checksum is wrong).',
  NOT_FOUND: 'This API key does not exist.',
  REVOKED: 'This API key has been revoked.',
  DISABLED: 'This API key is disabled.',
  EXPIRED: 'This API key has expired.',
  FORBIDDEN: 'This API key may not be used from here.',
  INSUFFICIENT_PERMISSIONS: 'This API key lacks a permission this route needs.',
  RATE_LIMITED: 'This API key is over its rate limit.',
  USAGE_EXCEEDED: 'This API key has used up its credits.',
  UNAVAILABLE: 'The key could not be checked right now (the key server is unreachable); try again shortly.',
};

function problem(status: Refusal['status'], title: string, code: string, headers: Record<string, string> = {}): Refusal {
  return {
    status,
    headers: { 'content-type': 'application/problem+json', ...headers },
    body: { type: 'about:blank', title, status, detail: DETAIL[code] ?? `The API key was refused (${code}).`, code },
  };
}

/** The IETF RateLimit headers and Retry-After from the tightest window (or credits, which have none). */
function limitHeaders(answer: InvalidAnswer, now: number): Record<string, string> {
  const windows: RateLimitState[] = answer.ratelimits ?? [];
  const tightest = [...windows].sort((a, b) => a.remaining - b.remaining || b.reset - a.reset)[0];
  if (!tightest) {
    const remaining = answer.credits?.remaining ?? 0;
    return { 'retry-after': String(NO_WINDOW_RETRY_SECONDS), 'ratelimit-limit': '0', 'ratelimit-remaining': String(remaining), 'ratelimit-reset': String(NO_WINDOW_RETRY_SECONDS) };
  }
  const seconds = String(Math.max(1, Math.ceil((tightest.reset - now) / 1000)));
  return { 'retry-after': seconds, 'ratelimit-limit': String(tightest.limit), 'ratelimit-remaining': String(Math.max(0, tightest.remaining)), 'ratelimit-reset': seconds };
}

/** The refusal for a verify answer that is not valid (or for no key at all: code `MISSING`). */
export function refusalOf(answer: Pick<InvalidAnswer, 'code'> & Partial<InvalidAnswer>, now = Date.now()): Refusal {
  if (FORBIDDEN_CODES.has(answer.code)) return problem(403, 'Forbidden', answer.code);
  if (LIMIT_CODES.has(answer.code)) return problem(429, 'Too Many Requests', answer.code, limitHeaders(answer as InvalidAnswer, now));
  return problem(401, 'Unauthorized', answer.code, { 'www-authenticate': 'Bearer error="invalid_token"' });
}

export const UNAVAILABLE: Refusal = problem(503, 'Service Unavailable', 'UNAVAILABLE', { 'retry-after': '5' });

/** The key from `Authorization: Bearer …`, or from a named header (Bearer or the bare key). */
export function keyFromHeader(value: string | undefined | null): string | null {
  if (!value) return null;
  const match = /^\s*Bearer\s+(\S+)\s*$/i.exec(value);
  if (match) return match[1]!;
  const bare = value.trim();
  return bare && !/\s/.test(bare) ? bare : null;
}
