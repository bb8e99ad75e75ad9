import type { ComponentChildren } from 'preact';
import { useState } from 'preact/hooks';
import type { KeyRow } from '../../shared/schemas/key';
import { MAX_RATELIMITS, type KeyLimits } from '../../shared/schemas/limits';
import { useApi } from '../hooks/session-context';
import { useAction } from '../hooks/use-async';
import { draftOf, inputOf, NEW_RATELIMIT, type LimitErrors, type LimitsDraft, type RatelimitDraft, type RefillChoice, type WindowUnit } from '../lib/limits-draft';
import { ProblemBox } from './ProblemBox';

/**
 * One labelled field with its problem next to it (read out when it appears). The problem sits
 * outside the label, so the field's name stays its label alone.
 */
function Field({ id, label, hint, error, children }: { id: string; label: string; hint?: string; error?: string; children: ComponentChildren }) {
  return (
    <div class="field">
      <label for={id}>{label}</label>
      {children}
      {hint ? (
        <small id={`${id}-hint`} class="hint">
          {hint}
        </small>
      ) : null}
      {error ? (
        <p id={`${id}-error`} class="field-error" role="alert">
          {error}
        </p>
      ) : null}
    </div>
  );
}

/**
 * The admin's form for a key's rate limits and credits. It replaces the rate limits on save, and
 * the credits when the admin changed them (see inputOf); the shared
 * schema checks the draft first and each problem is shown at its field; the server checks again.
 */
export function KeyLimitsForm(props: { teamId: string; keyId: string; initial: Partial<KeyLimits>; onSaved(row: KeyRow): void; onCancel(): void }) {
  const { teamId, keyId } = props;
  const api = useApi();
  const [loaded] = useState<LimitsDraft>(() => draftOf(props.initial));
  const [draft, setDraft] = useState<LimitsDraft>(loaded);
  const [errors, setErrors] = useState<LimitErrors>({});
  const { busy, problem, act } = useAction();
  const id = (name: string) => `limits-${keyId}-${name.replace(/\./g, '-')}`;
  /** The input's id and, when its field has a problem (or a hint), what describes it. */
  const input = (name: string, hint = false) => {
    const describedBy = [hint ? `${id(name)}-hint` : '', errors[name] ? `${id(name)}-error` : ''].filter(Boolean).join(' ');
    return { id: id(name), 'aria-invalid': errors[name] ? ('true' as const) : undefined, 'aria-describedby': describedBy || undefined };
  };

  /** Applies a change and forgets the problem shown for the field it touched. */
  const edit = (patch: Partial<LimitsDraft> | ((d: LimitsDraft) => Partial<LimitsDraft>), field?: string) => {
    setDraft((d) => ({ ...d, ...(typeof patch === 'function' ? patch(d) : patch) }));
    setErrors((e) => Object.fromEntries(Object.entries(e).filter(([k]) => k !== field && k !== 'form')));
  };
  const editLimit = (i: number, patch: Partial<RatelimitDraft>, field: string) =>
    edit((d) => ({ ratelimits: d.ratelimits.map((l, j) => (j === i ? { ...l, ...patch } : l)) }), `ratelimits.${i}.${field}`);
  // Rows after a removed one move up: their problems no longer match them, so all are cleared.
  const removeLimit = (i: number) => {
    setDraft((d) => ({ ...d, ratelimits: d.ratelimits.filter((_, j) => j !== i) }));
    setErrors({});
  };

  const submit = async (e: Event) => {
    e.preventDefault();
    const checked = inputOf(draft, loaded);
    if (!checked.ok) return setErrors(checked.errors);
    setErrors({});
    const updated = await act(() => api.keys.update.mutate({ teamId, keyId, ...checked.input }));
    if (updated) props.onSaved(updated);
  };

  const full = draft.ratelimits.length >= MAX_RATELIMITS;
  const rl = (i: number, field: string) => `ratelimits.${i}.${field}`;
  return (
    <form class="limits-form" onSubmit={(e) => void submit(e)} noValidate aria-label="Edit rate limits and credits">
      <fieldset class="limits-group">
        <legend>Rate limits</legend>
        {draft.ratelimits.length === 0 ? <p class="hint">No rate limits: the key may be verified as often as callers like.</p> : null}
        {draft.ratelimits.map((l, i) => (
          <fieldset key={i} class="limit-row">
            <legend>Rate limit {i + 1}</legend>
            <Field id={id(rl(i, 'name'))} label="Name" error={errors[rl(i, 'name')]}>
              <input {...input(rl(i, 'name'))} value={l.name} maxLength={32} autoComplete="off" spellcheck={false} placeholder="per_minute" onInput={(e) => editLimit(i, { name: e.currentTarget.value }, 'name')} />
            </Field>
            <Field id={id(rl(i, 'limit'))} label="Limit (calls)" error={errors[rl(i, 'limit')]}>
              <input {...input(rl(i, 'limit'))} type="number" min={1} step={1} class="narrow" value={l.limit} onInput={(e) => editLimit(i, { limit: e.currentTarget.value }, 'limit')} />
            </Field>
            <Field id={id(rl(i, 'window'))} label="Window (1 second to 24 hours)" error={errors[rl(i, 'window')]}>
              <div class="row">
                <input {...input(rl(i, 'window'))} type="number" min={0} step="any" class="narrow" value={l.window} onInput={(e) => editLimit(i, { window: e.currentTarget.value }, 'window')} />
                <select aria-label="Window unit" value={l.unit} onChange={(e) => editLimit(i, { unit: e.currentTarget.value as WindowUnit }, 'window')}>
                  <option value="seconds">seconds</option>
                  <option value="minutes">minutes</option>
                  <option value="hours">hours</option>
                </select>
              </div>
            </Field>
            <label class="check">
              <input type="checkbox" checked={l.autoApply} onChange={(e) => editLimit(i, { autoApply: e.currentTarget.checked }, 'autoApply')} />
              Apply to every verify <span class="hint">(otherwise only when the verify names it)</span>
            </label>
            <button type="button" class="btn btn-small btn-danger-outline" onClick={() => removeLimit(i)}>
              Remove
            </button>
          </fieldset>
        ))}
        {errors.ratelimits ? (
          <p class="field-error" role="alert">
            {errors.ratelimits}
          </p>
        ) : null}
        <div class="row">
          <button type="button" class="btn btn-small" disabled={full} aria-describedby={full ? id('ratelimits-full') : undefined} onClick={() => edit((d) => ({ ratelimits: [...d.ratelimits, { ...NEW_RATELIMIT }].slice(0, MAX_RATELIMITS) }), 'ratelimits')}>
            Add a rate limit
          </button>
          {full ? (
            <span id={id('ratelimits-full')} class="hint">
              A key has at most {MAX_RATELIMITS} rate limits.
            </span>
          ) : null}
        </div>
      </fieldset>

      <fieldset class="limits-group">
        <legend>Credits</legend>
        <label class="check">
          <input type="checkbox" checked={draft.creditsOn} onChange={(e) => edit({ creditsOn: e.currentTarget.checked })} />
          Limit the number of calls (credits)
        </label>
        {draft.creditsOn ? (
          <>
            <Field id={id('credits.remaining')} label="Remaining (calls left)" error={errors['credits.remaining']}>
              <input {...input('credits.remaining')} type="number" min={0} step={1} class="narrow" value={draft.remaining} onInput={(e) => edit({ remaining: e.currentTarget.value }, 'credits.remaining')} />
            </Field>
            <Field id={id('credits.refill')} label="Refill">
              <select id={id('credits.refill')} value={draft.refill} onChange={(e) => edit({ refill: e.currentTarget.value as RefillChoice })}>
                <option value="none">None</option>
                <option value="daily">Daily</option>
                <option value="monthly">Monthly</option>
              </select>
            </Field>
            {draft.refill !== 'none' ? (
              <>
                <Field id={id('credits.amount')} label="Refill to (credits)" error={errors['credits.amount']}>
                  <input {...input('credits.amount')} type="number" min={1} step={1} class="narrow" value={draft.amount} onInput={(e) => edit({ amount: e.currentTarget.value }, 'credits.amount')} />
                </Field>
                {draft.refill === 'monthly' ? (
                  <Field id={id('credits.refillDay')} label="Refill day (1–31)" hint="A shorter month refills on its last day (day 31 is 30 April)." error={errors['credits.refillDay']}>
                    <input {...input('credits.refillDay', true)} type="number" min={1} max={31} step={1} class="narrow" value={draft.refillDay} onInput={(e) => edit({ refillDay: e.currentTarget.value }, 'credits.refillDay')} />
                  </Field>
                ) : null}
                <p class="hint">Refills happen at 00:00 UTC and set the remaining credits to the refill amount.</p>
              </>
            ) : null}
          </>
        ) : null}
      </fieldset>

      {errors.form ? (
        <p class="field-error" role="alert">
          {errors.form}
        </p>
      ) : null}
      <div class="row">
        <button type="submit" class="btn btn-primary" disabled={busy}>
          {busy ? 'Saving…' : 'Save limits'}
        </button>
        <button type="button" class="btn" disabled={busy} onClick={props.onCancel}>
          Cancel
        </button>
      </div>
      {problem ? <ProblemBox problem={problem} /> : null}
    </form>
  );
}
