import type { z } from 'zod';
import { KeyLimitsInput, MAX_DURATION_MS, MIN_DURATION_MS, type KeyLimits } from '../../shared/schemas/limits';

/**
 * The limits form's draft (numbers as the inputs hold them: text) and its conversion to and from
 * what keys.update takes. The shared schema decides what is valid; this module only says where on
 * the form each of its problems belongs.
 */

export type WindowUnit = 'seconds' | 'minutes' | 'hours';
export const UNIT_MS: Record<WindowUnit, number> = { seconds: 1000, minutes: 60_000, hours: 3_600_000 };

export interface RatelimitDraft {
  name: string;
  limit: string;
  window: string;
  unit: WindowUnit;
  autoApply: boolean;
}

export type RefillChoice = 'none' | 'daily' | 'monthly';

export interface LimitsDraft {
  ratelimits: RatelimitDraft[];
  creditsOn: boolean;
  remaining: string;
  refill: RefillChoice;
  /** What a refill sets `remaining` to. */
  amount: string;
  refillDay: string;
}

/**
 * Where a problem is shown: `ratelimits` (the list as a whole), `ratelimits.<i>.name|limit|window`,
 * `credits.remaining|amount|refillDay`, or `form` for anything else.
 */
export type LimitErrors = Record<string, string>;

export const NEW_RATELIMIT: RatelimitDraft = { name: '', limit: '', window: '1', unit: 'minutes', autoApply: true };

/** The largest unit the window is a whole number of (seconds otherwise, with decimals if need be). */
function windowOf(durationMs: number): Pick<RatelimitDraft, 'window' | 'unit'> {
  const unit: WindowUnit = durationMs % UNIT_MS.hours === 0 ? 'hours' : durationMs % UNIT_MS.minutes === 0 ? 'minutes' : 'seconds';
  return { window: String(durationMs / UNIT_MS[unit]), unit };
}

export function draftOf(limits: Partial<KeyLimits>): LimitsDraft {
  const credits = limits.credits ?? null;
  const refill = credits?.refill ?? null;
  return {
    ratelimits: (limits.ratelimits ?? []).map((l) => ({ name: l.name, limit: String(l.limit), ...windowOf(l.durationMs), autoApply: l.autoApply })),
    creditsOn: credits !== null,
    remaining: credits ? String(credits.remaining) : '',
    refill: refill ? refill.interval : 'none',
    amount: refill ? String(refill.amount) : '',
    refillDay: String(refill?.refillDay ?? 1),
  };
}

/** What each error key is called in its message: "Rate limit 2, name: …". */
export function labelOf(key: string): string {
  const [group, index, field] = key.split('.');
  if (group === 'ratelimits' && index !== undefined) return `Rate limit ${Number(index) + 1}, ${field === 'limit' ? 'limit (calls)' : field}`;
  if (group === 'ratelimits') return 'Rate limits';
  const credits: Record<string, string> = { remaining: 'Credits, remaining', amount: 'Credits, refill to', refillDay: 'Credits, refill day' };
  return (index && credits[index]) || 'Limits';
}

/** A schema issue's path as the key of the field that shows it. */
function keyOf(path: readonly PropertyKey[]): string {
  const [group, a, b] = path.map(String);
  if (group === 'ratelimits' && a === undefined) return 'ratelimits';
  if (group === 'ratelimits' && (b === 'name' || b === 'limit')) return `ratelimits.${a}.${b}`;
  if (group === 'ratelimits' && b === 'durationMs') return `ratelimits.${a}.window`;
  if (group === 'credits' && a === 'remaining') return 'credits.remaining';
  if (group === 'credits' && a === 'refill' && (b === 'amount' || b === 'refillDay')) return `credits.${b}`;
  return 'form';
}

const WINDOW_RANGE = `a window is ${MIN_DURATION_MS / 1000} second to ${MAX_DURATION_MS / UNIT_MS.hours} hours`;

/** "12" -> 12; an empty or non-numeric field is NaN, which the caller reports itself. */
const numberOf = (text: string) => (text.trim() === '' ? NaN : Number(text));

const CREDIT_FIELDS = ['creditsOn', 'remaining', 'refill', 'amount', 'refillDay'] as const;

/**
 * The draft as keys.update takes it, checked with the shared schema, or every problem keyed by the
 * field that shows it. The form replaces the key's rate limits; its credits only when the admin
 * changed them from `loaded` (what the form opened with): the balance keeps moving while the form
 * is open, and saving a rate limit must not hand back the credits spent since.
 */
export function inputOf(draft: LimitsDraft, loaded?: LimitsDraft): { ok: true; input: KeyLimitsInput } | { ok: false; errors: LimitErrors } {
  const errors: LimitErrors = {};
  const num = (key: string, text: string) => {
    const n = numberOf(text);
    if (!Number.isFinite(n)) errors[key] = `${labelOf(key)}: enter a number`;
    return n;
  };
  const ratelimits = draft.ratelimits.map((l, i) => ({
    name: l.name.trim(),
    limit: num(`ratelimits.${i}.limit`, l.limit),
    durationMs: Math.round(num(`ratelimits.${i}.window`, l.window) * UNIT_MS[l.unit]),
    autoApply: l.autoApply,
  }));
  let credits: z.input<typeof KeyLimitsInput>['credits'] = null;
  if (draft.creditsOn) {
    const remaining = num('credits.remaining', draft.remaining);
    if (draft.refill === 'none') credits = { remaining, refill: null };
    else {
      const amount = num('credits.amount', draft.amount);
      const refillDay = draft.refill === 'monthly' ? num('credits.refillDay', draft.refillDay) : undefined;
      credits = { remaining, refill: { amount, interval: draft.refill, ...(refillDay === undefined ? {} : { refillDay }) } };
    }
  }
  const parsed = KeyLimitsInput.safeParse({ ratelimits, credits });
  for (const issue of parsed.success ? [] : parsed.error.issues) {
    const key = keyOf(issue.path);
    // A field already reported as not a number keeps that message; the first problem of a field is enough.
    if (errors[key]) continue;
    errors[key] = `${labelOf(key)}: ${key.endsWith('.window') ? WINDOW_RANGE : issue.message}`;
  }
  if (!parsed.success || Object.keys(errors).length > 0) return { ok: false, errors };
  if (loaded && CREDIT_FIELDS.every((f) => draft[f] === loaded[f])) return { ok: true, input: { ratelimits: parsed.data.ratelimits } };
  return { ok: true, input: parsed.data };
}
