import { useEffect, useState } from 'preact/hooks';
import { ExpiryWarningDaysSchema, MaxLifetimeDaysSchema, type PolicyPreview as Preview, type TeamSettings } from '../../../shared/schemas/team';
import { Loading } from '../../components/Loading';
import { PolicyPreview } from '../../components/PolicyPreview';
import { ProblemBox } from '../../components/ProblemBox';
import { useAction, useAsync } from '../../hooks/use-async';
import type { Api } from '../../lib/api';
import type { SessionTeam } from '../../lib/storage';

/** The seed's "API Key Settings": generation toggle, team expiry policy (preview first), warning thresholds. */
export function SettingsTab({ api, team, serverUrl }: { api: Api; team: SessionTeam; serverUrl: string }) {
  const settings = useAsync(() => api.settings.get.query({ teamId: team.teamId }), [api, team.teamId], serverUrl);
  if (settings.status === 'error' && !settings.data) return <ProblemBox problem={settings.problem} onRetry={() => void settings.reload()} />;
  if (!settings.data) return <Loading label="Loading settings…" />;
  return <SettingsForm api={api} team={team} serverUrl={serverUrl} value={settings.data} onSaved={(s) => settings.setData(s)} />;
}

function SettingsForm(props: { api: Api; team: SessionTeam; serverUrl: string; value: TeamSettings; onSaved(s: TeamSettings): void }) {
  const { api, team, value } = props;
  const { busy, problem, act } = useAction(props.serverUrl);
  const [saved, setSaved] = useState<string | null>(null);
  const [limited, setLimited] = useState(value.maxLifetimeDays !== null);
  const [days, setDays] = useState(String(value.maxLifetimeDays ?? 90));
  const [preview, setPreview] = useState<{ days: number | null; result: Preview } | null>(null);
  const [warnings, setWarnings] = useState(value.expiryWarningDays.join(', '));
  const [invalid, setInvalid] = useState<string | null>(null);
  useEffect(() => setPreview(null), [limited, days]);

  const update = async (patch: Omit<Parameters<Api['settings']['update']['mutate']>[0], 'teamId'>, message: string) => {
    const next = await act(() => api.settings.update.mutate({ teamId: team.teamId, ...patch }));
    if (next) {
      props.onSaved({ ...value, ...(next as Partial<TeamSettings>) });
      setSaved(message);
    }
    return next;
  };
  const policyDays = (): number | null | undefined => {
    if (!limited) return null;
    const parsed = MaxLifetimeDaysSchema.safeParse(Number(days));
    if (!parsed.success || days.trim() === '') {
      setInvalid('The expiry is a whole number of days from 1 to 365.');
      return undefined;
    }
    setInvalid(null);
    return parsed.data;
  };
  const runPreview = async () => {
    const d = policyDays();
    if (d === undefined) return;
    const result = await act(() => api.settings.previewExpiryPolicy.query({ teamId: team.teamId, maxLifetimeDays: d }));
    if (result) setPreview({ days: d, result });
  };
  const apply = async () => {
    if (!preview) return;
    const done = await update({ maxLifetimeDays: preview.days }, preview.days === null ? 'Expiry limit removed.' : `Expiry policy applied: keys now live at most ${preview.days} days.`);
    if (done) setPreview(null);
  };
  const saveWarnings = async (e: Event) => {
    e.preventDefault();
    const numbers = warnings.split(/[\s,]+/).filter(Boolean).map(Number);
    const parsed = ExpiryWarningDaysSchema.safeParse(numbers);
    if (!parsed.success || numbers.some((n) => Number.isNaN(n))) return setInvalid('Warning thresholds are up to 5 whole numbers of days (1–365), e.g. "30, 7, 1".');
    setInvalid(null);
    await update({ expiryWarningDays: parsed.data }, 'Warning thresholds saved.');
  };

  return (
    <section aria-labelledby="settings-heading" class="settings">
      <h2 id="settings-heading">API Key Settings</h2>
      <div class="card">
        <label class="check">
          <input type="checkbox" name="allowMemberKeyGeneration" checked={value.allowMemberKeyGeneration} disabled={busy} onChange={(e) => void update({ allowMemberKeyGeneration: e.currentTarget.checked }, 'Saved.')} />
          <span>Allow anyone in your team to generate API keys</span>
        </label>
        <p class="hint">When off, only admins and super admins can generate keys.</p>
      </div>
      <div class="card">
        <h3>Set expiry for API keys</h3>
        <p class="hint">
          Applies to the whole team: it overrides every later expiry users chose before, and caps every new key. Currently:{' '}
          <strong>{value.maxLifetimeDays === null ? 'no limit' : `${value.maxLifetimeDays} days`}</strong>.
        </p>
        <div class="row">
          <label class="check">
            <input type="checkbox" name="limitLifetime" checked={limited} onChange={(e) => setLimited(e.currentTarget.checked)} />
            <span>Keys expire after</span>
          </label>
          <label class="field field-inline">
            <span class="sr-only">Maximum key lifetime in days</span>
            <input type="number" name="maxLifetimeDays" min={1} max={365} value={days} disabled={!limited} onInput={(e) => setDays(e.currentTarget.value)} class="narrow" />
            <span>days</span>
          </label>
          <button type="button" class="btn" disabled={busy} onClick={() => void runPreview()}>
            Preview
          </button>
        </div>
        {preview ? (
          <>
            <PolicyPreview preview={preview.result} days={preview.days} />
            <button type="button" class="btn btn-primary" disabled={busy} onClick={() => void apply()}>
              Apply policy
            </button>
          </>
        ) : (
          <p class="hint">Preview first: you see how many keys, and whose, would change before anything does.</p>
        )}
      </div>
      <form class="card" onSubmit={(e) => void saveWarnings(e)}>
        <h3>Expiry warnings</h3>
        <label class="field">
          <span>Warn owners this many days before a key expires (badge, in-app and email)</span>
          <input name="expiryWarningDays" value={warnings} onInput={(e) => setWarnings(e.currentTarget.value)} placeholder="30, 7, 1" />
        </label>
        <button type="submit" class="btn" disabled={busy}>
          Save thresholds
        </button>
      </form>
      {invalid ? <p class="field-error" role="alert">{invalid}</p> : null}
      {problem ? <ProblemBox problem={problem} /> : null}
      {saved && !problem ? (
        <p class="report" role="status">
          {saved}
        </p>
      ) : null}
    </section>
  );
}
