import type { Ratelimit, Refill } from '../../shared/schemas/limits';

/**
 * How a key's credits are stored (on the key document, field `credits`). Beside what the row shows:
 * `period` names the refill interval the balance belongs to (a refill writes it in the same update,
 * so two instances never both refill one interval); `base` is the last refill amount or top-up, the
 * 100% that "credits low" (10%) is measured against; the two flags make each alert one conditional
 * write per crossing, cleared when the balance is set again.
 */
export interface StoredCredits {
  remaining: number;
  refill: Refill | null;
  period: string | null;
  base: number;
  lowAlerted: boolean;
  exhaustedAlerted: boolean;
}

/** The limit fields of a key document (absent on keys made before them: no limits). */
export interface KeyLimitFields {
  ratelimits?: Ratelimit[];
  credits?: StoredCredits | null;
}
