import type { CreditsAfterSpend, LimitsRepo, StoredCredits } from '../db/limits.repo';
import { withDeadline } from '../lib/deadline';
import { refillPeriod } from './credit-periods';

/**
 * Credits spent from slices, while plenty remains (as ratelimiter.ts spends a window): an instance
 * reserves a slice of a key's balance with one conditional `$inc` (limits.repo `reserveCredits`)
 * and spends it in memory, so a verify usually waits for no write. Exactness is kept where it
 * matters: a slice is taken only while at least `SLICE_FLOOR` credits stay stored after it, so the
 * last credits of every balance are spent by the exact path (credits.ts), one conditional write
 * per batch of calls, as if slices did not exist; a small balance (below the floor) never sees one.
 *
 * A slice belongs to one balance, named by its refill `period` and the admin's `setAt`: a key state
 * naming another one (refilled, or set again by an admin) drops the slice, neither spent nor given
 * back, and the database refuses to give a stale slice back to the new balance. Unspent credits go
 * back after `IDLE_MS` without calls, when the balance nears the floor, and on shutdown.
 *
 * Never oversells: what is spent here was taken from the stored balance first. What it costs: a
 * crash loses the unspent slices (at most `SLICE_MAX` per key and instance); answers' `remaining`
 * counts other instances' unspent slices as spent; a call refused at 0 may see credits come back
 * when another instance gives its slice back; an admin's change reaches another instance with its
 * key state (the verify cache's revision poll, ~1 s, as for a revocation), and until then that
 * instance may spend what is left of the slice it holds of the old balance.
 */
export const SLICE_FLOOR = 1000;
const SLICE_MAX = 100;
const SLICE_SHARE = 0.01;
const IDLE_MS = 1000;
const SWEEP_MS = 250;
const WRITE_DEADLINE_MS = 6000;
/** Reservations a call waits for before it takes the exact path. */
const MAX_ROUNDS = 3;

interface Slice {
  period: string | null;
  setAt: number | null;
  /** Reserved here and not spent yet. */
  left: number;
  /** The last reservation's size (0: none yet): the next is reserved once `left` falls below half of it. */
  size: number;
  /** The stored balance after the last reservation (other instances' spends and slices taken out). */
  stored: number;
  /** A reservation was refused (near the floor): every call takes the exact path until the key goes idle. */
  closed: boolean;
  lastCall: number;
  reserving: Promise<void> | null;
}

/** The balance a key state names at `now`: a refill due by now makes it the current interval's (credits.ts writes it first). */
export function balanceOf(c: StoredCredits, now: Date): { period: string | null; setAt: number | null; remaining: number } {
  const setAt = c.setAt ?? null;
  if (!c.refill) return { period: c.period, setAt, remaining: c.remaining };
  const current = refillPeriod(c.refill, now);
  return c.period === null || c.period < current ? { period: current, setAt, remaining: c.refill.amount } : { period: c.period, setAt, remaining: c.remaining };
}

/** At most 1% of the stored balance and `SLICE_MAX`, and never into the floor. */
const sliceSize = (stored: number) => Math.min(SLICE_MAX, Math.floor(stored * SLICE_SHARE), stored - SLICE_FLOOR);

export function creditSlices(
  repo: Pick<LimitsRepo, 'reserveCredits' | 'releaseCredits'>,
  /**
   * Told after every reservation: the stored balance already counts the slice as spent, so "credits
   * low" may be announced up to one slice per instance early ("exhausted" only by the exact path).
   */
  spent: (after: CreditsAfterSpend, hash: string) => void,
  onError: (err: unknown) => void,
) {
  const slices = new Map<string, Slice>();
  const writes = new Set<Promise<unknown>>();
  let sweeper: NodeJS.Timeout | null = null;
  let stopped = false;

  function track<T>(p: Promise<T>): Promise<T> {
    writes.add(p);
    void p.then(
      () => writes.delete(p),
      () => writes.delete(p),
    );
    return p;
  }

  function release(hash: string, s: Slice) {
    const n = s.left;
    s.left = 0;
    if (n > 0) track(withDeadline(repo.releaseCredits(hash, n, s.period, s.setAt), WRITE_DEADLINE_MS, 'credits release')).catch(onError);
  }

  /** One timer for every key: a slice without calls for `IDLE_MS` gives its rest back. */
  function sweep() {
    const idleSince = Date.now() - IDLE_MS;
    for (const [hash, s] of slices) {
      if (s.lastCall > idleSince || s.reserving) continue;
      slices.delete(hash);
      release(hash, s);
    }
    if (slices.size === 0 && sweeper) {
      clearInterval(sweeper);
      sweeper = null;
    }
  }

  function sliceOf(hash: string, credits: StoredCredits, now: Date): Slice | null {
    const balance = balanceOf(credits, now);
    let s = slices.get(hash);
    if (s && (s.period !== balance.period || s.setAt !== balance.setAt)) {
      // Another balance: the old one's slice is neither spent nor given back.
      slices.delete(hash);
      s = undefined;
    }
    if (s || stopped || sliceSize(balance.remaining) < 1) return s ?? null;
    s = { period: balance.period, setAt: balance.setAt, left: 0, size: 0, stored: balance.remaining, closed: false, lastCall: 0, reserving: null };
    slices.set(hash, s);
    if (!sweeper) {
      sweeper = setInterval(sweep, SWEEP_MS);
      sweeper.unref();
    }
    return s;
  }

  /** Near the floor: the rest of the slice goes back and the last credits are spent exactly. */
  function close(hash: string, s: Slice) {
    s.closed = true;
    release(hash, s);
  }

  /** One reservation in flight per key; it never rejects (a failure leaves the calls to the exact path). */
  function reserve(hash: string, s: Slice): Promise<void> {
    if (s.reserving || s.closed) return s.reserving ?? Promise.resolve();
    const n = sliceSize(s.stored);
    if (n < 1 || stopped) {
      close(hash, s);
      return Promise.resolve();
    }
    s.reserving = track(withDeadline(repo.reserveCredits(hash, n, SLICE_FLOOR, s.period, s.setAt), WRITE_DEADLINE_MS, 'credits reservation'))
      .then((after) => {
        if (!after) return close(hash, s);
        s.left += n;
        s.size = n;
        s.stored = after.credits.remaining;
        spent(after, hash);
      })
      .catch(onError)
      .finally(() => {
        s.reserving = null;
      });
    return s.reserving;
  }

  return {
    /**
     * Spends `cost` from this instance's slice of the key's balance: the `remaining` to answer, or
     * null when the call must take the exact path. `cost` 0 answers from a slice held, reserving none.
     */
    async take(hash: string, credits: StoredCredits, cost: number, now: Date): Promise<number | null> {
      const s = sliceOf(hash, credits, now);
      if (!s) return null;
      s.lastCall = Date.now();
      if (cost === 0) return s.size > 0 && !s.closed ? s.stored + s.left : null;
      for (let round = 0; round < MAX_ROUNDS && !s.closed && slices.get(hash) === s; round++) {
        if (s.left >= cost) {
          s.left -= cost;
          if (s.left < s.size / 2) void reserve(hash, s);
          return s.stored + s.left;
        }
        // A cost the next slice cannot cover either goes the exact way at once.
        if (cost > s.left + sliceSize(s.stored)) return null;
        await reserve(hash, s);
      }
      return null;
    },

    /** On shutdown, after the last verify: every unspent slice goes back (what a crash would lose). */
    async stop(): Promise<void> {
      stopped = true;
      if (sweeper) clearInterval(sweeper);
      sweeper = null;
      await Promise.all([...slices.values()].map((s) => s.reserving));
      for (const [hash, s] of slices) release(hash, s);
      slices.clear();
      await Promise.allSettled([...writes]);
    },
  };
}
export type CreditSlices = ReturnType<typeof creditSlices>;
