import type { RatelimitState } from '../../shared/schemas/limits';
import type { LimitsRepo } from '../db/limits.repo';
import { withDeadline } from '../lib/deadline';

/**
 * Rate limits over fixed windows (aligned to the epoch, so every instance agrees on them), exact
 * across instances: each window's budget is one counter in the database, and an instance reserves
 * it in slices (one conditional `$inc` that never takes the counter past the limit) and spends a
 * slice in memory. So the database decides how much each instance may admit, and the hot path is a
 * few map operations for all but one call per slice.
 *
 * Never oversells: a window admits at most `limit`, whatever the instances. What it can cost: a
 * slice reserved by an instance that then gets no more calls in that window (or crashes) is not
 * spent by anyone; a slice is at most limit/40, so two instances leave at most 5% unspent.
 */
export interface AppliedLimit {
  /** The window counter's scope, e.g. `k:{keyId}:{name}`. */
  scope: string;
  name: string;
  limit: number;
  durationMs: number;
  cost: number;
}

interface Slot {
  window: number;
  end: number;
  /** Reserved here and not spent yet. */
  left: number;
  /** The window counter as the last reservation saw it (all instances' reservations). */
  used: number;
  /** The database said the window is spent: refuse without asking again. */
  spent: boolean;
  /** Costs of calls waiting for the reservation in flight. */
  waiting: number;
  reserving: Promise<void> | null;
}

const RESERVE_DEADLINE_MS = 6000;
/** Rounds of "reserve, then take every limit at once" before a call under heavy contention is refused. */
const MAX_ROUNDS = 20;

export function ratelimiter(repo: Pick<LimitsRepo, 'reserveWindow'>) {
  const slots = new Map<string, Slot>();
  let lastSweep = 0;

  function slotOf(l: AppliedLimit, now: number): Slot {
    const window = Math.floor(now / l.durationMs) * l.durationMs;
    const id = `${l.scope}:${l.durationMs}:${window}`;
    let slot = slots.get(id);
    if (!slot) slots.set(id, (slot = { window, end: window + l.durationMs, left: 0, used: 0, spent: false, waiting: 0, reserving: null }));
    return slot;
  }

  function sweep(now: number) {
    if (now - lastSweep < 1000) return;
    lastSweep = now;
    for (const [id, slot] of slots) if (slot.end <= now && !slot.reserving) slots.delete(id);
  }

  /** One reservation in flight per slot; its size follows the calls waiting for it, within limit/40. */
  function reserve(l: AppliedLimit, slot: Slot, idSuffix: string): Promise<void> {
    if (slot.reserving) return slot.reserving;
    const small = Math.max(1, Math.floor(l.limit / 100));
    const large = Math.max(1, Math.ceil(l.limit / 40));
    const want = Math.max(small, Math.min(large, slot.waiting));
    slot.reserving = withDeadline(repo.reserveWindow(idSuffix, l.limit, want, new Date(slot.end + 60_000)), RESERVE_DEADLINE_MS, 'rate limit')
      .then(({ granted, used }) => {
        slot.left += granted;
        slot.used = used;
        if (granted === 0) slot.spent = true;
      })
      .finally(() => {
        slot.reserving = null;
      });
    return slot.reserving;
  }

  const state = (l: AppliedLimit, slot: Slot, refused: boolean): RatelimitState => ({
    name: l.name,
    limit: l.limit,
    remaining: refused ? 0 : Math.max(0, Math.min(l.limit, l.limit - slot.used + slot.left)),
    reset: slot.end,
  });

  return {
    /**
     * Takes `cost` of every limit, or of none: the check and the take of all of them run without an
     * await between, so a call refused by one limit spends nothing of the others. `undo` gives the
     * budget back (a later check refused the call).
     */
    async take(limits: AppliedLimit[], nowMs: number): Promise<{ ok: boolean; states: RatelimitState[]; undo: () => void }> {
      sweep(nowMs);
      const slotted = limits.map((l) => ({ l, slot: slotOf(l, nowMs), id: `rl:${l.scope}:${l.durationMs}:${Math.floor(nowMs / l.durationMs)}` }));
      for (let round = 0; round < MAX_ROUNDS; round++) {
        const short = slotted.filter(({ l, slot }) => slot.left < l.cost);
        const refusedBy = short.filter(({ slot }) => slot.spent);
        if (refusedBy.length > 0 || short.length === 0) {
          const ok = refusedBy.length === 0;
          if (ok) for (const { l, slot } of slotted) slot.left -= l.cost;
          const refused = new Set(refusedBy.map((s) => s.l.name));
          const states = slotted.map(({ l, slot }) => state(l, slot, refused.has(l.name)));
          const undo = () => {
            if (ok) for (const { l, slot } of slotted) slot.left += l.cost;
          };
          return { ok, states, undo };
        }
        for (const s of short) s.slot.waiting += s.l.cost;
        try {
          await Promise.all(short.map(({ l, slot, id }) => reserve(l, slot, id)));
        } finally {
          for (const s of short) s.slot.waiting -= s.l.cost;
        }
      }
      return { ok: false, states: slotted.map(({ l, slot }) => state(l, slot, true)), undo: () => {} };
    },
  };
}
export type Ratelimiter = ReturnType<typeof ratelimiter>;
