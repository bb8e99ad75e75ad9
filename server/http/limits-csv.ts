import type { KeyRow } from '../../shared/schemas/key';
import type { CsvColumn } from '../lib/csv';

/** The keys CSV's rate-limit and credit columns (issue 25): one cell per concept, readable in a sheet. */
export const LIMIT_COLUMNS: CsvColumn<KeyRow>[] = [
  // "api:100/60000ms; burst:10/1000ms (named)": a limit that is not auto-applied applies only when a verify names it.
  ['ratelimits', (k) => (k.ratelimits ?? []).map((l) => `${l.name}:${l.limit}/${l.durationMs}ms${l.autoApply ? '' : ' (named)'}`).join('; ') || null],
  ['creditsRemaining', (k) => k.credits?.remaining ?? null],
  ['creditsRefill', (k) => (k.credits?.refill ? `${k.credits.refill.amount} ${k.credits.refill.interval}${k.credits.refill.refillDay ? ` day ${k.credits.refill.refillDay}` : ''}` : null)],
];
