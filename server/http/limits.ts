import type { Context, MiddlewareHandler } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import type { Env } from '../env';
import { AppError } from '../errors';
import { sha256 } from '../lib/ids';
import { ConcurrencyGates, TokenBuckets } from '../lib/rate-limit';
import type { NodeBindings } from './auth';
import { discardRestOfBody, readBodyUpTo } from './discard-body';

/**
 * Request limits for every HTTP route, so that no single caller can hold the
 * database pool or the server's memory: a body size per route, and per caller a
 * rate (token bucket) and a cap on requests in flight. A caller is a session
 * (its bearer token's hash) on tRPC and the CSV exports, otherwise its address;
 * every address also has a cap in flight across all its sessions, so made-up
 * tokens do not buy more. The verify API, a hot path for services, has its own,
 * much larger budget per address. In-process: the limits hold per server instance.
 */

/** Body sizes: tRPC fits a 1,000-key bulk call (ids are 24 characters) with room to spare. */
export const BODY_LIMIT_BYTES = { trpc: 64 * 1024, other: 4 * 1024 } as const;

export interface RequestLimits {
  /** Requests per second per session (tRPC, CSV exports); 0 = off. */
  sessionRatePerSecond: number;
  /** Requests per second per address without a session (sign-in, /v1/me, /health); 0 = off. */
  ipRatePerSecond: number;
  /** A bucket holds this many seconds of its rate, so a quiet caller may burst. */
  burstSeconds: number;
  /** Requests in flight per session (or per address without one); a few more wait their turn. */
  concurrencyPerCaller: number;
  /** Requests in flight per address across all its sessions (verify excluded). */
  concurrencyPerIp: number;
  verifyRatePerIp: number;
  verifyConcurrencyPerIp: number;
  /** Public leak reports per address per minute (POST /v1/leaks/report); 10 when absent, 0 = off. */
  leakReportsPerMinutePerIp?: number;
}

export const DEFAULT_REQUEST_LIMITS: RequestLimits = {
  sessionRatePerSecond: 20,
  ipRatePerSecond: 50,
  burstSeconds: 3,
  concurrencyPerCaller: 8,
  concurrencyPerIp: 32,
  verifyRatePerIp: 2000,
  verifyConcurrencyPerIp: 32,
};

export function requestLimitsFromEnv(env: Env): RequestLimits {
  return {
    sessionRatePerSecond: env.RATE_LIMIT_PER_SESSION,
    ipRatePerSecond: env.RATE_LIMIT_PER_IP,
    burstSeconds: env.RATE_LIMIT_BURST_SECONDS,
    concurrencyPerCaller: env.CONCURRENCY_PER_SESSION,
    concurrencyPerIp: env.CONCURRENCY_PER_IP,
    verifyRatePerIp: env.VERIFY_RATE_LIMIT_PER_IP,
    verifyConcurrencyPerIp: env.VERIFY_CONCURRENCY_PER_IP,
  };
}

/** How a refusal is written: each route family answers in its own error shape. */
export type RenderRejection = (c: Context, error: AppError, headers: Record<string, string>) => Response | Promise<Response>;

/** A request waits at most this long for a free slot before it is refused. */
const MAX_WAIT_MS = 10_000;

export function createRequestLimits(
  config: RequestLimits,
  options: { clientIp: (c: Context) => string | null; bearerToken: (c: Context) => string | null; render: RenderRejection },
) {
  const buckets = (ratePerSecond: number) => new TokenBuckets({ ratePerSecond, burst: Math.max(1, Math.ceil(ratePerSecond * config.burstSeconds)) });
  const gates = (limit: number) => new ConcurrencyGates({ limit, queue: limit * 8, maxWaitMs: MAX_WAIT_MS });
  const sessionRate = buckets(config.sessionRatePerSecond);
  const ipRate = buckets(config.ipRatePerSecond);
  const verifyRate = buckets(config.verifyRatePerIp);
  const callerGates = gates(config.concurrencyPerCaller);
  const ipGates = gates(config.concurrencyPerIp);
  const verifyGates = gates(config.verifyConcurrencyPerIp);
  const leakReportsPerMinute = config.leakReportsPerMinutePerIp ?? 10;
  const leakReportRate = new TokenBuckets({ ratePerSecond: leakReportsPerMinute / 60, burst: Math.max(1, leakReportsPerMinute) });

  const tooMany = (c: Context, who: string, retryAfterMs: number) => {
    const seconds = Math.max(1, Math.ceil(retryAfterMs / 1000));
    return options.render(c, new AppError('TOO_MANY_REQUESTS', `Too many requests from ${who}; retry in ${seconds} s.`), { 'Retry-After': String(seconds) });
  };

  async function enter(gates: ConcurrencyGates, key: string) {
    const entered = gates.enter(key);
    return entered instanceof Promise ? await entered : entered;
  }

  /** Rate, then the caller's slot, then (optionally) the address's slot; released when the answer is complete. */
  async function admit(
    c: Context,
    next: () => Promise<void>,
    key: string,
    who: string,
    rate: TokenBuckets,
    gate: ConcurrencyGates,
    ipKey: string | null,
    streams = true,
  ) {
    const admission = rate.take(key);
    if (!admission.ok) return tooMany(c, who, admission.retryAfterMs);
    const release = await enter(gate, key);
    if (!release) return tooMany(c, who, 1000);
    const releaseIp = ipKey === null ? null : await enter(ipGates, ipKey);
    if (ipKey !== null && !releaseIp) {
      release();
      return tooMany(c, 'your address', 1000);
    }
    const done = () => {
      release();
      releaseIp?.();
    };
    try {
      await next();
    } catch (err) {
      done();
      throw err;
    }
    if (streams) holdUntilSent(c, done);
    else done();
  }

  const ipOf = (c: Context) => options.clientIp(c) ?? 'unknown';

  return {
    /** POST /v1/keys/verify: a large budget per address. */
    verify: (async (c, next) => {
      const ip = ipOf(c);
      return admit(c, next, ip, 'your address', verifyRate, verifyGates, null, false);
    }) satisfies MiddlewareHandler,
    /** POST /v1/leaks/report: anyone may call it, so a small budget per address. */
    leakReport: (async (c, next) => {
      const ip = ipOf(c);
      return admit(c, next, `leak:${ip}`, 'your address', leakReportRate, callerGates, ip);
    }) satisfies MiddlewareHandler,
    /**
     * tRPC, REST and CSV exports: per session (or API token) when a bearer token is sent, else per
     * address. A made-up token would get a fresh bucket of its own, so every request with a token
     * takes one unit of its address's budget of refusals up front (so a burst in flight cannot pass
     * a check made before any of them is answered), given back unless it is refused as unauthorized
     * (401): an address out of that budget is refused before its next token is even looked up.
     */
    caller: (async (c, next) => {
      const ip = ipOf(c);
      const token = options.bearerToken(c);
      if (!token) return admit(c, next, `ip:${ip}`, 'your address', ipRate, callerGates, ip);
      const failures = `unauthorized:${ip}`;
      const charged = ipRate.take(failures);
      if (!charged.ok) return tooMany(c, 'your address', charged.retryAfterMs);
      let res: Response | undefined;
      try {
        res = await admit(c, next, `s:${sha256(token)}`, 'your session', sessionRate, callerGates, ip);
      } finally {
        if ((res ?? c.res).status !== 401) ipRate.giveBack(failures);
      }
      return res;
    }) satisfies MiddlewareHandler,
    /** Routes that never carry a session (/v1/me carries an API key): per address. */
    address: (async (c, next) => {
      const ip = ipOf(c);
      return admit(c, next, `ip:${ip}`, 'your address', ipRate, callerGates, ip);
    }) satisfies MiddlewareHandler,
    /**
     * The body limit of every route. A declared length over the limit is refused
     * before any byte is read; a chunked body is cut off as it passes the limit
     * (never holding more than the limit). Either way the rest is then read and
     * dropped for a bounded time (discard-body.ts). A body within its declared
     * length is left to the handler, which keeps @hono/node-server's direct read
     * on the verify hot path.
     */
    body: (async (c, next) => {
      // GitHub batches its secret-scanning matches: its report gets tRPC's room.
      const maxSize = c.req.path.startsWith('/trpc/') || c.req.path === '/v1/leaks/github' ? BODY_LIMIT_BYTES.trpc : BODY_LIMIT_BYTES.other;
      const tooLarge = () => {
        // Not `Connection: close`: the client reads this answer once it has written its body.
        discardRestOfBody((c.env as NodeBindings['Bindings'] | undefined)?.incoming);
        return options.render(c, new AppError('PAYLOAD_TOO_LARGE', `The request body is larger than the ${maxSize / 1024} KiB this endpoint accepts.`), {});
      };
      const length = c.req.header('content-length');
      if (c.req.header('transfer-encoding') === undefined) {
        if (length === undefined) return next();
        return Number(length) > maxSize ? tooLarge() : next();
      }
      const incoming = (c.env as NodeBindings['Bindings'] | undefined)?.incoming;
      // Under app.request() (tests) there is no Node stream: Hono's own limit.
      if (!incoming) return bodyLimit({ maxSize, onError: tooLarge })(c, next);
      const body = await readBodyUpTo(incoming, maxSize);
      if (!body) return tooLarge();
      c.req.raw = new Request(c.req.raw, { body });
      return next();
    }) satisfies MiddlewareHandler,
    /** For tests: how many buckets and gates the limiter holds. */
    sizes: () => ({ buckets: sessionRate.size + ipRate.size + verifyRate.size, gates: callerGates.size + ipGates.size + verifyGates.size }),
  };
}
export type RequestLimiter = ReturnType<typeof createRequestLimits>;

/**
 * JSON answers are complete when the handler returns; a streamed one (a CSV
 * export) keeps its slots until its last byte is sent or the client goes away.
 */
function holdUntilSent(c: Context, done: () => void) {
  const res = c.res;
  // The content type first: reading `body` of a plain JSON answer would cost @hono/node-server its fast path.
  if (res.headers.get('content-type')?.startsWith('application/json') || !res.body) return done();
  const reader = res.body.getReader();
  const body = new ReadableStream<Uint8Array>({
    async pull(controller) {
      try {
        const chunk = await reader.read();
        if (chunk.done) {
          done();
          controller.close();
        } else controller.enqueue(chunk.value);
      } catch (err) {
        done();
        controller.error(err);
      }
    },
    cancel(reason) {
      done();
      return reader.cancel(reason);
    },
  });
  c.res = new Response(body, { status: res.status, headers: res.headers });
}
