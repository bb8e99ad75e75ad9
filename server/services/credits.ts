import type { Credits } from '../../shared/schemas/limits';
import type { CreditsAfterSpend, LimitsRepo, StoredCredits } from '../db/limits.repo';
import { withDeadline } from '../lib/deadline';
import { refillPeriod } from './credit-periods';
import { creditSlices } from './credit-slices';

/**
 * Credits, exact across instances: the balance lives on the key and every spend is a conditional
 * `$inc` that cannot take it below 0 (limits.repo.ts). To keep the database's writes (which take
 * turns) off each call's path, the calls of one key that arrive while its previous write is in
 * flight are spent together by the next write (a group commit): one write per key at a time per
 * instance, each for however many calls queued. If the balance cannot cover them all, the calls
 * that fit (in arrival order) are spent by a second conditional write and the rest are refused,
 * having spent nothing. A crash after a write and before the answers costs those calls' credits.
 *
 * That is the exact path. While plenty remains, most calls never reach it: they spend a slice this
 * instance reserved from the balance (credit-slices.ts), and only the last `SLICE_FLOOR` credits of
 * a balance, a cost no slice covers, and `cost` 0 without a slice come here.
 */
export interface CreditsAnswer {
  ok: boolean;
  remaining: number;
}

interface Call {
  cost: number;
  resolve: (a: CreditsAnswer) => void;
  reject: (err: unknown) => void;
}

const WRITE_DEADLINE_MS = 6000;

/**
 * The stored form of credits an admin set now: the balance belongs to the current refill interval,
 * and `setAt` tells it from the balance it replaces (a slice of that one is dropped).
 */
export function storedCredits(c: Credits, now: Date): StoredCredits {
  return { remaining: c.remaining, refill: c.refill, period: c.refill ? refillPeriod(c.refill, now) : null, base: c.remaining, lowAlerted: false, exhaustedAlerted: false, setAt: now.getTime() };
}

export function creditsSpender(
  repo: Pick<LimitsRepo, 'spendCredits' | 'creditsOf' | 'refillCredits' | 'reserveCredits' | 'releaseCredits'>,
  /** Told about every successful write (the alerts decide from the balance after it). */
  spent: (after: CreditsAfterSpend, hash: string) => void,
  onError: (err: unknown) => void = () => {},
) {
  const slices = creditSlices(repo, spent, onError);
  const queues = new Map<string, { calls: Call[]; writing: boolean }>();
  /** hash -> the refill period this instance knows is written. */
  const refilled = new Map<string, string>();
  const refilling = new Map<string, Promise<void>>();

  async function ensureRefilled(hash: string, credits: StoredCredits, now: Date): Promise<void> {
    if (!credits.refill) return;
    const period = refillPeriod(credits.refill, now);
    if ((credits.period !== null && credits.period >= period) || refilled.get(hash) === period) return;
    const key = `${hash}:${period}`;
    let p = refilling.get(key);
    if (!p) {
      p = withDeadline(repo.refillCredits(hash, period, credits.refill.amount), WRITE_DEADLINE_MS, 'credits refill')
        .then(() => {
          refilled.set(hash, period);
        })
        .finally(() => refilling.delete(key));
      refilling.set(key, p);
    }
    await p;
  }

  async function writeBatch(hash: string, calls: Call[]): Promise<void> {
    const total = calls.reduce((n, c) => n + c.cost, 0);
    let after = await withDeadline(repo.spendCredits(hash, total), WRITE_DEADLINE_MS, 'credits');
    if (after) {
      spent(after, hash);
      return answerInOrder(calls, after.credits.remaining);
    }
    // Not enough for all of them: spend those that fit, in arrival order, against the balance as read.
    for (let attempt = 0; attempt < 5; attempt++) {
      const now = await withDeadline(repo.creditsOf(hash), WRITE_DEADLINE_MS, 'credits');
      const balance = now?.remaining ?? 0;
      let room = balance;
      const fit = calls.filter((c) => (c.cost <= room ? ((room -= c.cost), true) : false));
      if (fit.length === 0) {
        for (const c of calls) c.resolve({ ok: false, remaining: balance });
        return;
      }
      after = await withDeadline(repo.spendCredits(hash, balance - room), WRITE_DEADLINE_MS, 'credits');
      if (after) {
        spent(after, hash);
        answerInOrder(fit, after.credits.remaining);
        for (const c of calls) if (!fit.includes(c)) c.resolve({ ok: false, remaining: after.credits.remaining });
        return;
      }
    }
    for (const c of calls) c.resolve({ ok: false, remaining: 0 });
  }

  /** Each admitted call hears the balance as if the calls had been spent one after another. */
  function answerInOrder(calls: Call[], remainingAfter: number) {
    let left = remainingAfter + calls.reduce((n, c) => n + c.cost, 0);
    for (const c of calls) {
      left -= c.cost;
      c.resolve({ ok: true, remaining: left });
    }
  }

  async function drain(hash: string): Promise<void> {
    const q = queues.get(hash)!;
    q.writing = true;
    while (q.calls.length > 0) {
      const batch = q.calls;
      q.calls = [];
      await writeBatch(hash, batch).catch((err) => {
        for (const c of batch) c.reject(err);
      });
    }
    q.writing = false;
    queues.delete(hash);
  }

  return {
    /** Spends `cost` credits of the key (0 only reads the balance, after any refill due). */
    async spend(hash: string, credits: StoredCredits, cost: number, now: Date): Promise<CreditsAnswer> {
      await ensureRefilled(hash, credits, now);
      const fromSlice = await slices.take(hash, credits, cost, now);
      if (fromSlice !== null) return { ok: true, remaining: fromSlice };
      if (cost === 0) {
        const c = await withDeadline(repo.creditsOf(hash), WRITE_DEADLINE_MS, 'credits');
        return { ok: true, remaining: c?.remaining ?? 0 };
      }
      return new Promise<CreditsAnswer>((resolve, reject) => {
        let q = queues.get(hash);
        if (!q) queues.set(hash, (q = { calls: [], writing: false }));
        q.calls.push({ cost, resolve, reject });
        if (!q.writing) void drain(hash);
      });
    },

    /** On shutdown, after the last verify: this instance's unspent slices go back to their balances. */
    stop: () => slices.stop(),
  };
}
export type CreditsSpender = ReturnType<typeof creditsSpender>;
