import type { Ratelimit, Refill } from '../../shared/schemas/limits';

/**
 * How a key's credits are stored (on the key document, field `credits`). Beside what the row shows:
 * `period` names the refill interval the balance belongs to (a refill writes it in the same update,
 * so two instances never both refill one interval); `base` is the last refill amount or top-up, the
 * 100% that "credits low" (10%) is measured against; the two flags make each alert one conditional
 * write per crossing, cleared when the balance is set again. `setAt` (epoch ms) is when an admin set
 * the balance: with `period` it names the balance, so a slice reserved from one balance is never
 * spent from or given back to another (credit-slices.ts). Keys stored before it have none (a filter
 * on `null` matches the missing field).
 */
export interface StoredCredits {
  remaining: number;
  refill: Refill | null;
  period: string | null;
  base: number;
  lowAlerted: boolean;
  exhaustedAlerted: boolean;
  setAt?: number | null;
}

/** The limit fields of a key document (absent on keys made before them: no limits). */
export interface KeyLimitFields {
  ratelimits?: Ratelimit[];
  credits?: StoredCredits | null;
}
