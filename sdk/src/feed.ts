/** A long poll waits at most this long for an event (the server allows up to 30 s). */
const MAX_WAIT_SECONDS = 25;
/** How late a long poll's answer may be (the server's own wait ends on time) before the feed counts as silent. */
const ANSWER_SLACK_MS = 1000;
/** Retries after a failure back off from this to MAX_BACKOFF_MS. */
const FIRST_BACKOFF_MS = 250;
const MAX_BACKOFF_MS = 5000;

interface FeedPage {
  events: { seq: number; keyId: string; kind: string; at: string }[];
  next: number;
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal.addEventListener('abort', done);
  });
}

/**
 * Follows `GET /v1/teams/{teamId}/keys/changes` with long polls and reports each changed key.
 * `coveredSince` is when the current unbroken coverage began: an answer cached before it may
 * predate a change this follower never saw, so only answers cached after it may live past the
 * fallback TTL. An outage does not break coverage (the follower resumes at its `next` and is told
 * what it missed before it counts as up again); a 410 or a fresh start does.
 */
export class FeedFollower {
  /** Whether the last call succeeded (and no call has failed since). */
  up = false;
  coveredSince = Infinity;
  /** When the call in flight was sent (null between calls). */
  private sentAt: number | null = null;
  /**
   * How long each long poll waits: under the fallback TTL, so that a network cut that drops
   * nothing (no error, no answer) is noticed within about the fallback TTL too (see `live`).
   */
  private readonly waitSeconds: number;
  private next: number | undefined;
  private readonly stop = new AbortController();
  private loop: Promise<void> | null = null;

  constructor(
    private readonly url: string,
    private readonly token: string,
    private readonly onChanged: (keyIds: string[]) => void,
    private readonly onReset: () => void,
    fallbackMs: number,
  ) {
    this.waitSeconds = Math.max(1, Math.min(MAX_WAIT_SECONDS, Math.floor((fallbackMs - ANSWER_SLACK_MS) / 1000)));
  }

  /**
   * Whether the feed can be trusted to have told us every change up to now: it is up, and the call
   * in flight is not overdue. A long poll answers within its wait, so one that has not is cut
   * somewhere, silently, and its changes may never arrive.
   */
  live(now: number): boolean {
    return this.up && (this.sentAt === null || now - this.sentAt <= this.waitSeconds * 1000 + ANSWER_SLACK_MS);
  }

  start(): void {
    this.loop ??= this.run();
  }

  async close(): Promise<void> {
    this.stop.abort();
    await this.loop;
  }

  private async run(): Promise<void> {
    let backoff = FIRST_BACKOFF_MS;
    while (!this.stop.signal.aborted) {
      try {
        await this.poll();
        backoff = FIRST_BACKOFF_MS;
      } catch {
        if (this.stop.signal.aborted) break;
        this.up = false;
        await sleep(backoff, this.stop.signal);
        backoff = Math.min(backoff * 2, MAX_BACKOFF_MS);
      }
    }
    this.up = false;
  }

  private async poll(): Promise<void> {
    // Catch up at once after a start or an outage; wait only while known to be up.
    const wait = this.up && this.next !== undefined ? this.waitSeconds : 0;
    const query = new URLSearchParams({ waitSeconds: String(wait) });
    if (this.next !== undefined) query.set('after', String(this.next));
    const sentAt = (this.sentAt = Date.now());
    try {
      await this.read(sentAt, await fetch(`${this.url}?${query}`, {
        headers: { authorization: `Bearer ${this.token}` },
        signal: AbortSignal.any([this.stop.signal, AbortSignal.timeout((wait + 10) * 1000)]),
      }));
    } finally {
      this.sentAt = null;
    }
  }

  private async read(sentAt: number, res: Response): Promise<void> {
    if (res.status === 410) {
      // Events we never saw are gone: nothing cached can be trusted; start again from the head.
      await res.body?.cancel();
      this.onReset();
      this.next = undefined;
      this.up = false;
      this.coveredSince = Infinity;
      return;
    }
    if (!res.ok) {
      await res.body?.cancel();
      throw new Error(`the change feed answered ${res.status}`);
    }
    const page = (await res.json()) as FeedPage;
    if (this.next === undefined) this.coveredSince = sentAt;
    // A key's creation makes no answer stale (nothing about it was cached as valid before it existed).
    this.onChanged(page.events.filter((e) => e.kind !== 'created').map((e) => e.keyId));
    this.next = page.next;
    this.up = true;
  }
}
