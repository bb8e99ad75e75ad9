import type { Refill } from '../../shared/schemas/limits';

/**
 * Which refill interval an instant belongs to, named by the UTC date it started on ("2026-03-31").
 * A daily refill starts each UTC day at 00:00; a monthly one on `refillDay` (default 1) at 00:00 UTC,
 * clamped to the month's length (31 -> 30 April, 28 or 29 February). The names sort in time order,
 * which the refill's conditional write relies on.
 */
const daysIn = (year: number, month: number) => new Date(Date.UTC(year, month + 1, 0)).getUTCDate();
const dateName = (year: number, month: number, day: number) => new Date(Date.UTC(year, month, day)).toISOString().slice(0, 10);

export function refillPeriod(refill: Pick<Refill, 'interval' | 'refillDay'>, now: Date): string {
  const y = now.getUTCFullYear();
  const m = now.getUTCMonth();
  if (refill.interval === 'daily') return dateName(y, m, now.getUTCDate());
  const wanted = refill.refillDay ?? 1;
  const thisMonth = Math.min(wanted, daysIn(y, m));
  if (now.getUTCDate() >= thisMonth) return dateName(y, m, thisMonth);
  const prev = new Date(Date.UTC(y, m - 1, 1));
  return dateName(prev.getUTCFullYear(), prev.getUTCMonth(), Math.min(wanted, daysIn(prev.getUTCFullYear(), prev.getUTCMonth())));
}
