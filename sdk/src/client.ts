import { parseKey } from '../../shared/key-format.js';
import { AnswerCache, keyDigest } from './cache.js';
import { FeedFollower } from './feed.js';
import { KeywardenUnavailableError, type KeywardenOptions, type ValidAnswer, type VerifyAnswer, type VerifyOptions } from './types.js';

/**
 * After the feed reports a key changed, its answers are not cached for this long. The server
 * instance the SDK asks may not know of the change yet (instances learn of each other's changes
 * within about a second, by polling), and a stale valid answer cached then would outlive the change.
 */
const SETTLE_MS = 2500;

/** Each verify call gives up on the server after this long (then: cached answer or unavailable). */
const REQUEST_TIMEOUT_MS = 5000;

const nonEmpty = (v: unknown) => (Array.isArray(v) ? v.length > 0 : v !== null && v !== undefined);

/** Answers that must never be reused: the server keeps a count for them (rate limits, credits). */
function countedByServer(answer: ValidAnswer): boolean {
  return nonEmpty(answer.ratelimits) || nonEmpty(answer.credits);
}

/** The call options that can change an answer, as one string (the hot path: no JSON). */
function variantOf(o: VerifyOptions): string {
  const limits = o.ratelimits ? JSON.stringify(o.ratelimits) : '';
  return `${o.permissions ?? ''}\n${o.context?.ip ?? ''}\n${o.context?.origin ?? ''}\n${limits}`;
}

/**
 * Verifies Keywarden keys for a service. A valid answer is kept in process (by the key's SHA-256)
 * until the first of: the key's expiry, its rotation's grace end, `cacheTtlSeconds`, or a change
 * of the key reported by the change feed. Without a working feed an answer is kept at most
 * `fallbackTtlSeconds`. Malformed keys are refused without a network call.
 */
export class Keywarden {
  private readonly baseUrl: string;
  private readonly ttlMs: number;
  private readonly fallbackMs: number;
  private readonly cache = new AnswerCache();
  private readonly feed: FeedFollower | null;
  /** Moves on with every drop: an answer fetched across a drop may be stale and is not kept. */
  private generation = 0;
  /** keyId -> when the feed last reported it changed (see SETTLE_MS). */
  private readonly droppedAt = new Map<string, number>();

  constructor(options: KeywardenOptions) {
    this.baseUrl = options.baseUrl.replace(/\/+$/, '');
    this.ttlMs = (options.cacheTtlSeconds ?? 300) * 1000;
    this.fallbackMs = (options.fallbackTtlSeconds ?? 5) * 1000;
    this.feed =
      options.token && options.teamId
        ? new FeedFollower(
            `${this.baseUrl}/v1/teams/${encodeURIComponent(options.teamId)}/keys/changes`,
            options.token,
            (keyIds) => this.dropKeys(keyIds),
            () => this.dropAll(),
            this.fallbackMs,
          )
        : null;
    this.feed?.start();
  }

  async verify(key: string, options: VerifyOptions = {}): Promise<VerifyAnswer> {
    const cacheable = options.cost === undefined && this.ttlMs > 0;
    const digest = keyDigest(key);
    const variant = variantOf(options);
    const now = Date.now();
    // Only valid answers are cached, so a hit is a well-formed key: the checksum is checked on a miss.
    if (cacheable) {
      const hit = this.cache.get(digest, variant, now, this.maxAgeMs());
      if (hit) return hit;
    }
    if (!parseKey(key).ok) return { valid: false, code: 'MALFORMED' };
    const generation = this.generation;
    const answer = await this.ask(key, options);
    if (cacheable && answer.valid && !countedByServer(answer) && generation === this.generation && !this.settling(answer.keyId, Date.now())) {
      this.cache.set(digest, variant, answer, now, this.until(answer, now));
    }
    return answer;
  }

  /** Stops following the feed; the instance still verifies (with the fallback TTL). */
  async close(): Promise<void> {
    await this.feed?.close();
  }

  /** SHA-256 digests of the keys cached now (never the keys): for tests and diagnostics. */
  cachedDigests(): string[] {
    return this.cache.digests();
  }

  /** How old an entry may be now: any age under the feed's unbroken coverage, else the fallback TTL. */
  private maxAgeMs(): number {
    const now = Date.now();
    return this.feed?.live(now) ? now - this.feed.coveredSince : this.fallbackMs;
  }

  private until(answer: ValidAnswer, now: number): number {
    const limits = [now + (this.feed ? this.ttlMs : Math.min(this.ttlMs, this.fallbackMs))];
    if (answer.expiresAt) limits.push(Date.parse(answer.expiresAt));
    if (answer.rotation?.graceEndsAt) limits.push(Date.parse(answer.rotation.graceEndsAt));
    return Math.min(...limits.filter((t) => !Number.isNaN(t)));
  }

  private dropKeys(keyIds: string[]): void {
    if (keyIds.length === 0) return;
    this.generation++;
    const now = Date.now();
    for (const [id, at] of this.droppedAt) if (now - at >= SETTLE_MS) this.droppedAt.delete(id);
    for (const id of keyIds) {
      this.cache.dropKey(id);
      this.droppedAt.set(id, now);
    }
  }

  /** Whether `keyId` changed too recently for an answer about it to be trusted for long (SETTLE_MS). */
  private settling(keyId: string, now: number): boolean {
    const at = this.droppedAt.get(keyId);
    return at !== undefined && now - at < SETTLE_MS;
  }

  private dropAll(): void {
    this.generation++;
    this.cache.clear();
  }

  private async ask(key: string, options: VerifyOptions): Promise<VerifyAnswer> {
    let res: Response;
    try {
      res = await fetch(`${this.baseUrl}/v1/keys/verify`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ key, ...options }),
        signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
      });
    } catch (err) {
      throw new KeywardenUnavailableError('The Keywarden server could not be reached.', { cause: err });
    }
    if (!res.ok) {
      await res.body?.cancel();
      throw new KeywardenUnavailableError(`The Keywarden server answered ${res.status}.`);
    }
    return (await res.json()) as VerifyAnswer;
  }
}
