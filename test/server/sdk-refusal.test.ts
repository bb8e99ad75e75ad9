import { describe, expect, it } from 'vitest';
import { refusalOf } from '../../sdk/src/refusal';

/**
 * How the middleware words each refusal. The server answers FORBIDDEN, INSUFFICIENT_PERMISSIONS,
 * RATE_LIMITED and USAGE_EXCEEDED only once permissions and rate limits land (issues 24 and 25),
 * so these cases are checked on the answers those issues specify; 401 and 503 are also checked
 * end to end (sdk.test.ts).
 */
describe('refusals', () => {
  it('are 403 problems for a forbidden caller or a missing permission', () => {
    for (const code of ['FORBIDDEN', 'INSUFFICIENT_PERMISSIONS']) {
      const r = refusalOf({ code });
      expect(r.status).toBe(403);
      expect(r.headers['content-type']).toBe('application/problem+json');
      expect(r.headers['www-authenticate']).toBeUndefined();
      expect(r.body).toMatchObject({ status: 403, code });
    }
  });

  it('are 401 with WWW-Authenticate for a key that does not work', () => {
    for (const code of ['MISSING', 'MALFORMED', 'NOT_FOUND', 'REVOKED', 'DISABLED', 'EXPIRED']) {
      const r = refusalOf({ code });
      expect(r.status).toBe(401);
      expect(r.headers['www-authenticate']).toBe('Bearer error="invalid_token"');
      expect(r.body.code).toBe(code);
    }
  });

  it('are 429 with Retry-After and RateLimit headers from the tightest window', () => {
    const now = 1_000_000;
    const r = refusalOf(
      {
        code: 'RATE_LIMITED',
        ratelimits: [
          { name: 'burst', limit: 10, remaining: 4, reset: now + 1_000 },
          { name: 'minute', limit: 100, remaining: 0, reset: now + 42_500 },
        ],
      },
      now,
    );
    expect(r.status).toBe(429);
    expect(r.headers).toMatchObject({ 'retry-after': '43', 'ratelimit-limit': '100', 'ratelimit-remaining': '0', 'ratelimit-reset': '43' });
    expect(r.body).toMatchObject({ status: 429, code: 'RATE_LIMITED' });
  });

  it('are 429 for used-up credits, with the credits left', () => {
    const r = refusalOf({ code: 'USAGE_EXCEEDED', credits: { remaining: 0 } });
    expect(r.status).toBe(429);
    expect(r.headers['ratelimit-remaining']).toBe('0');
    expect(Number(r.headers['retry-after'])).toBeGreaterThan(0);
  });
});
