import { useState } from 'preact/hooks';
import { IDLE_DAYS } from '../../shared/idle';
import { IdleDisableDaysSchema, IdleWarningDaysSchema, type IdlePreview } from '../../shared/schemas/lifecycle';
import type { FullTeamSettings } from '../../shared/schemas/team';
import { useApi } from '../hooks/session-context';
import { useAction } from '../hooks/use-async';
import { formatCount, plural } from '../lib/plural';
import { ProblemBox } from './ProblemBox';

/** Settings tab: the idle-key policy, previewed (how many keys, whose, disabled at once or warned) before it is saved. */
export function IdlePolicyCard(props: { teamId: string; value: FullTeamSettings; onSaved(s: FullTeamSettings): void }) {
  const api = useApi();
  const action = useAction();
  const [on, setOn] = useState(props.value.idleDisableDays != null);
  const [days, setDays] = useState(String(props.value.idleDisableDays ?? 90));
  const [warnDays, setWarnDays] = useState(String(props.value.idleWarningDays));
  const [preview, setPreview] = useState<IdlePreview | null>(null);
  const [invalid, setInvalid] = useState<string | null>(null);
  const [saved, setSaved] = useState<string | null>(null);

  const parsed = () => {
    const d = IdleDisableDaysSchema.safeParse(on ? Number(days) : null);
    const w = IdleWarningDaysSchema.safeParse(Number(warnDays));
    if (!d.success) return setInvalid(`Disable after: ${d.error.issues[0]?.message ?? 'invalid'}`), null;
    if (!w.success) return setInvalid(`Warn before: ${w.error.issues[0]?.message ?? 'invalid'}`), null;
    setInvalid(null);
    return { idleDisableDays: d.data, idleWarningDays: w.data };
  };

  const runPreview = async () => {
    const p = parsed();
    if (!p) return;
    setSaved(null);
    const result = await action.act(() => api.settings.previewIdlePolicy.query({ teamId: props.teamId, ...p }));
    if (result) setPreview(result);
  };

  const save = async () => {
    const p = parsed();
    if (!p) return;
    const answer = await action.act(() => api.settings.update.mutate({ teamId: props.teamId, ...p }));
    if (!answer) return;
    props.onSaved(answer.settings);
    setPreview(null);
    setSaved(p.idleDisableDays === null ? 'Idle-key policy off.' : `Saved: keys unused for ${plural(p.idleDisableDays, 'day')} are disabled (owners warned ${plural(p.idleWarningDays, 'day')} before).`);
  };

  return (
    <div class="card idle-policy">
      <h3>Disable unused keys</h3>
      <p class="hint">
        A key with no verified use for this long (counted from its creation if never used) is disabled, reversibly; its owner is warned first. Currently:{' '}
        <strong>{props.value.idleDisableDays == null ? 'off' : `after ${plural(props.value.idleDisableDays, 'day')}`}</strong>.
      </p>
      <div class="row">
        <label class="check">
          <input type="checkbox" name="idlePolicy" checked={on} onChange={(e) => (setOn(e.currentTarget.checked), setPreview(null))} />
          <span>Disable keys unused for</span>
        </label>
        <label class="field field-inline">
          <span class="sr-only">Days without use before a key is disabled</span>
          <input type="number" name="idleDisableDays" min={IDLE_DAYS} max={365} value={days} disabled={!on} class="narrow" onInput={(e) => (setDays(e.currentTarget.value), setPreview(null))} />
          <span>days; warn</span>
        </label>
        <label class="field field-inline">
          <span class="sr-only">Days of warning before a key is disabled</span>
          <input type="number" name="idleWarningDays" min={1} max={60} value={warnDays} disabled={!on} class="narrow" onInput={(e) => (setWarnDays(e.currentTarget.value), setPreview(null))} />
          <span>days before</span>
        </label>
        {/* Not "Preview": the expiry card above has that button, and one name per page keeps each findable. */}
        <button type="button" class="btn" disabled={action.busy} onClick={() => void runPreview()}>
          See what it would do
        </button>
      </div>
      {invalid ? (
        <p class="field-error" role="alert">
          {invalid}
        </p>
      ) : null}
      {preview ? (
        <>
          <IdlePreviewText preview={preview} />
          <button type="button" class="btn btn-primary" disabled={action.busy} onClick={() => void save()}>
            {action.busy ? 'Saving…' : on ? 'Save policy' : 'Turn off'}
          </button>
        </>
      ) : saved ? (
        <p class="report" role="status">
          {saved}
        </p>
      ) : (
        <p class="hint">See first what it would do: how many keys, and whose, would be disabled at once or warned.</p>
      )}
      {action.problem ? <ProblemBox problem={action.problem} /> : null}
    </div>
  );
}

/** "2 keys would be disabled at once and 5 owners' keys warned", then per owner. */
export function IdlePreviewText({ preview }: { preview: IdlePreview }) {
  if (preview.disableNow === 0 && preview.warn === 0) return <p class="preview">No key would be disabled or warned now.</p>;
  return (
    <div class="preview" role="status">
      <p>
        {plural(preview.disableNow, 'key')} would be disabled at once; {plural(preview.warn, 'key')} would be warned.
      </p>
      <ul>
        {preview.byOwner.map((o) => (
          <li key={o.userId}>
            {o.email || o.userId}: {formatCount(o.disableNow)} disabled, {formatCount(o.warn)} warned
          </li>
        ))}
      </ul>
    </div>
  );
}
