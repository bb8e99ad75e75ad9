/**
 * The verify API's shapes as they travel over HTTP (`POST /v1/keys/verify`): the SDK answers
 * exactly what the server answers. Fields added by newer servers (permissions, identities, rate
 * limits, credits) pass through untouched.
 */
export interface VerifyContext {
  /** The address of the caller of your service (not of your service). */
  ip?: string;
  /** The caller's `Origin` header, when it sent one. */
  origin?: string;
}

export interface VerifyOptions {
  /** A permission query the key must satisfy, e.g. `"invoices.read"`. */
  permissions?: string;
  context?: VerifyContext;
  /** Credits this call spends: always asked of the server, which keeps the count. */
  cost?: number;
  /** Named rate limits to apply (and their cost). */
  ratelimits?: { name: string; cost?: number }[];
}

export interface RateLimitState {
  name: string;
  limit: number;
  remaining: number;
  /** Epoch milliseconds when the window frees up. */
  reset: number;
}

export interface ValidAnswer {
  valid: true;
  keyId: string;
  teamId: string;
  ownerId: string;
  /** ISO time, or null for a key that never expires. */
  expiresAt: string | null;
  /** Present during a rotation's grace: the key that replaces this one, and when this one stops. */
  rotation?: { replacedBy: string; graceEndsAt: string };
  ratelimits?: RateLimitState[];
  credits?: { remaining: number } | null;
  [field: string]: unknown;
}

export interface InvalidAnswer {
  valid: false;
  /** MALFORMED, NOT_FOUND, DISABLED, REVOKED, EXPIRED, FORBIDDEN, INSUFFICIENT_PERMISSIONS, RATE_LIMITED, USAGE_EXCEEDED, … */
  code: string;
  ratelimits?: RateLimitState[];
  credits?: { remaining: number } | null;
  [field: string]: unknown;
}

export type VerifyAnswer = ValidAnswer | InvalidAnswer;

export interface KeywardenOptions {
  /** The Keywarden server, e.g. `https://keywarden.example.com`. */
  baseUrl: string;
  /** With `token`: follow the team's change feed, so a revoked key stops within a second. */
  teamId?: string;
  /** A team API token with the `keys:feed` scope (`kwt_…`). */
  token?: string;
  /** Longest a valid answer is reused while the feed is followed. */
  cacheTtlSeconds?: number;
  /** Longest a valid answer is reused without a working feed (none configured, or unreachable). */
  fallbackTtlSeconds?: number;
}

/** The server could not be asked (down, unreachable, or answering 5xx) and the answer was not cached. */
export class KeywardenUnavailableError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'KeywardenUnavailableError';
  }
}
