/**
 * In-process request limits, per caller key (a session token's hash, a client
 * address): a token bucket for the rate and a gate for the requests in flight.
 * Memory is bounded: a bucket that has refilled is forgotten (it is the same as
 * a new one), the oldest buckets go past `maxKeys`, and a gate exists only while
 * it has requests in flight or waiting. Per process, so per server instance.
 */

export type Admission = { ok: true } | { ok: false; retryAfterMs: number };

export interface TokenBucketOptions {
  /** Sustained requests per second; 0 turns the limit off. */
  ratePerSecond: number;
  /** The most requests admitted at once after a quiet spell. */
  burst: number;
  maxKeys?: number;
  now?: () => number;
}

export class TokenBuckets {
  private readonly buckets = new Map<string, { tokens: number; at: number }>();
  private readonly maxKeys: number;
  private readonly now: () => number;
  private lastSweep: number;

  constructor(private readonly options: TokenBucketOptions) {
    this.maxKeys = options.maxKeys ?? 100_000;
    this.now = options.now ?? Date.now;
    this.lastSweep = this.now();
  }

  take(key: string): Admission {
    const { ratePerSecond, burst } = this.options;
    if (ratePerSecond <= 0) return { ok: true };
    const now = this.now();
    if (now - this.lastSweep > 10_000) this.sweep(now);
    const bucket = this.buckets.get(key);
    const tokens = bucket ? Math.min(burst, bucket.tokens + ((now - bucket.at) * ratePerSecond) / 1000) : burst;
    if (tokens < 1) {
      bucket!.tokens = tokens;
      bucket!.at = now;
      return { ok: false, retryAfterMs: Math.ceil(((1 - tokens) * 1000) / ratePerSecond) };
    }
    if (bucket) {
      bucket.tokens = tokens - 1;
      bucket.at = now;
    } else {
      this.buckets.set(key, { tokens: tokens - 1, at: now });
      for (const oldest of this.buckets.keys()) {
        if (this.buckets.size <= this.maxKeys) break;
        this.buckets.delete(oldest);
      }
    }
    return { ok: true };
  }

  /** Returns a token taken for a request that turned out not to count (never above the burst). */
  giveBack(key: string): void {
    const bucket = this.buckets.get(key);
    if (bucket) bucket.tokens = Math.min(this.options.burst, bucket.tokens + 1);
  }

  get size(): number {
    return this.buckets.size;
  }

  /** Forgets every bucket that has refilled: it behaves exactly like a new one. */
  sweep(now = this.now()): void {
    this.lastSweep = now;
    const { ratePerSecond, burst } = this.options;
    for (const [key, b] of this.buckets) {
      if (b.tokens + ((now - b.at) * ratePerSecond) / 1000 >= burst) this.buckets.delete(key);
    }
  }
}

export interface GateOptions {
  /** Requests in flight per key; 0 turns the gate off. */
  limit: number;
  /** Requests that may wait for a slot per key; beyond them a request is refused at once. */
  queue: number;
  /** How long a request may wait for a slot before it is refused. */
  maxWaitMs: number;
}

type Gate = { running: number; waiting: { admit: () => void }[] };

/** Caps the requests in flight per key; the next few wait their turn, the rest are refused. */
export class ConcurrencyGates {
  private readonly gates = new Map<string, Gate>();

  constructor(private readonly options: GateOptions) {}

  /** A release function once a slot is free, or null when the key has too many requests already. */
  enter(key: string): Promise<(() => void) | null> | (() => void) | null {
    const { limit, queue, maxWaitMs } = this.options;
    if (limit <= 0) return noop;
    let gate = this.gates.get(key);
    if (!gate) this.gates.set(key, (gate = { running: 0, waiting: [] }));
    if (gate.running < limit) {
      gate.running++;
      return this.releaser(key, gate);
    }
    if (gate.waiting.length >= queue) return null;
    const g = gate;
    return new Promise((resolve) => {
      const entry = {
        admit: () => {
          clearTimeout(timer);
          g.running++;
          resolve(this.releaser(key, g));
        },
      };
      const timer = setTimeout(() => {
        g.waiting.splice(g.waiting.indexOf(entry), 1);
        resolve(null);
      }, maxWaitMs);
      g.waiting.push(entry);
    });
  }

  /** Keys with requests in flight or waiting. */
  get size(): number {
    return this.gates.size;
  }

  private releaser(key: string, gate: Gate): () => void {
    let released = false;
    return () => {
      if (released) return;
      released = true;
      gate.running--;
      const next = gate.waiting.shift();
      if (next) next.admit();
      else if (gate.running === 0) this.gates.delete(key);
    };
  }
}

const noop = () => {};
