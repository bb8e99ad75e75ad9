import { useEffect, useState } from 'preact/hooks';
import { ExpiryWarningDaysSchema, MaxLifetimeDaysSchema, type PolicyPreview as Preview, type FullTeamSettings } from '../../../shared/schemas/team';
import { AsyncStatus } from '../../components/AsyncStatus';
import { PolicyPreview } from '../../components/PolicyPreview';
import { IdlePolicyCard } from '../../components/IdlePolicyCard';
import { LeakResponseCard } from '../../components/LeakResponseCard';
import { ProblemBox } from '../../components/ProblemBox';
import { RolesCard } from '../../components/RolesCard';
import { Switch } from '../../components/Switch';
import { useApi } from '../../hooks/session-context';
import { useAction, useAsync } from '../../hooks/use-async';
import type { RouterInputs, RouterOutputs } from '../../lib/api';
import { plural } from '../../lib/plural';
import type { SessionTeam } from '../../lib/storage';

type Change = Omit<RouterInputs['settings']['update'], 'teamId'>;
type Answer = RouterOutputs['settings']['update'];
type Section = 'generation' | 'expiry' | 'warnings';

/** The seed's "API Key Settings": generation toggle, team expiry policy (preview first), warning thresholds. */
export function SettingsTab({ team }: { team: SessionTeam }) {
  const api = useApi();
  const settings = useAsync(() => api.settings.get.query({ teamId: team.teamId }), [api, team.teamId]);
  if (!settings.data) return <AsyncStatus state={settings} loading="Loading settings…" />;
  return <SettingsForm team={team} value={settings.data} onSaved={(s) => settings.setData(s)} />;
}

/** What the page shows is always the server's last answer (`settings` of the update), or an optimistic switch. */
function SettingsForm(props: { team: SessionTeam; value: FullTeamSettings; onSaved(s: FullTeamSettings): void }) {
  const { team, value } = props;
  const api = useApi();
  const generation = useAction();
  const expiry = useAction();
  const warningsAction = useAction();
  const [saved, setSaved] = useState<{ section: Section; message: string } | null>(null);
  const [allowPending, setAllowPending] = useState<boolean | null>(null);
  const [rolledBack, setRolledBack] = useState(false);
  const [limited, setLimited] = useState(value.maxLifetimeDays !== null);
  const [days, setDays] = useState(String(value.maxLifetimeDays ?? 90));
  const [preview, setPreview] = useState<{ days: number | null; result: Preview } | null>(null);
  const [warnings, setWarnings] = useState(value.expiryWarningDays.join(', '));
  const [invalid, setInvalid] = useState<{ section: Section; message: string } | null>(null);
  useEffect(() => setPreview(null), [limited, days]);

  const save = async (action: ReturnType<typeof useAction>, change: Change, section: Section, message: (a: Answer) => string): Promise<Answer | undefined> => {
    setSaved(null);
    const answer = await action.act(() => api.settings.update.mutate({ teamId: team.teamId, ...change }));
    if (answer) {
      props.onSaved(answer.settings);
      setSaved({ section, message: message(answer) });
    }
    return answer;
  };

  const allow = allowPending ?? value.allowMemberKeyGeneration;
  const toggleGeneration = async () => {
    const next = !allow;
    setAllowPending(next);
    setRolledBack(false);
    const answer = await save(generation, { allowMemberKeyGeneration: next }, 'generation', () => 'Saved');
    // Success: the server's answer is now the value. Failure: the switch goes back to it.
    setAllowPending(null);
    if (!answer) setRolledBack(true);
  };

  const policyDays = (): number | null | undefined => {
    if (!limited) return null;
    const parsed = MaxLifetimeDaysSchema.safeParse(Number(days));
    if (!parsed.success || days.trim() === '') {
      setInvalid({ section: 'expiry', message: 'The expiry is a whole number of days from 1 to 365.' });
      return undefined;
    }
    setInvalid(null);
    return parsed.data;
  };
  const runPreview = async () => {
    const d = policyDays();
    if (d === undefined) return;
    setSaved(null);
    const result = await expiry.act(() => api.settings.previewExpiryPolicy.query({ teamId: team.teamId, maxLifetimeDays: d }));
    if (result) setPreview({ days: d, result });
  };
  const apply = async () => {
    if (!preview) return;
    const done = await save(expiry, { maxLifetimeDays: preview.days }, 'expiry', (a) => policyReport(preview.days, a.policy));
    if (done) setPreview(null);
  };
  const saveWarnings = async (e: Event) => {
    e.preventDefault();
    const numbers = warnings.split(/[\s,]+/).filter(Boolean).map(Number);
    const parsed = ExpiryWarningDaysSchema.safeParse(numbers);
    if (!parsed.success || numbers.some((n) => Number.isNaN(n))) {
      return setInvalid({ section: 'warnings', message: 'Warning thresholds are up to 5 whole numbers of days (1–365), e.g. "30, 7, 1".' });
    }
    setInvalid(null);
    const answer = await save(warningsAction, { expiryWarningDays: parsed.data }, 'warnings', () => 'Warning thresholds saved.');
    if (answer) setWarnings(answer.settings.expiryWarningDays.join(', '));
  };

  const savedIn = (section: Section) => (saved?.section === section ? saved.message : null);
  const invalidIn = (section: Section) => (invalid?.section === section ? <p class="field-error" role="alert">{invalid.message}</p> : null);

  return (
    <section aria-labelledby="settings-heading" class="settings">
      <h2 id="settings-heading">API Key Settings</h2>
      <div class="card">
        <div class="row">
          <Switch id="allow-generation" checked={allow} busy={generation.busy} onToggle={() => void toggleGeneration()} label="Allow anyone in your team to generate API keys" />
          {savedIn('generation') ? (
            <span class="saved" role="status">
              {savedIn('generation')}
            </span>
          ) : null}
        </div>
        <p class="hint">When off, only admins and super admins can generate keys.</p>
        {generation.problem ? (
          <>
            <ProblemBox problem={generation.problem} />
            {rolledBack ? <p class="hint">Not saved: the setting is still {value.allowMemberKeyGeneration ? 'on' : 'off'}.</p> : null}
          </>
        ) : null}
      </div>
      <div class="card">
        <h3>Set expiry for API keys</h3>
        <p class="hint">
          Applies to the whole team: it overrides every later expiry users chose before, and caps every new key. Currently:{' '}
          <strong>{value.maxLifetimeDays === null ? 'no limit' : `keys live at most ${plural(value.maxLifetimeDays, 'day')}`}</strong>.
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
          <button type="button" class="btn" disabled={expiry.busy} onClick={() => void runPreview()}>
            Preview
          </button>
        </div>
        {invalidIn('expiry')}
        {preview ? (
          <>
            <PolicyPreview preview={preview.result} days={preview.days} />
            <button type="button" class="btn btn-primary" disabled={expiry.busy} onClick={() => void apply()}>
              {expiry.busy ? 'Applying…' : 'Apply policy'}
            </button>
          </>
        ) : savedIn('expiry') ? null : (
          <p class="hint">Preview first: you see how many keys, and whose, would change before anything does.</p>
        )}
        {savedIn('expiry') ? (
          <p class="report" role="status">
            {savedIn('expiry')}
          </p>
        ) : null}
        {expiry.problem ? <ProblemBox problem={expiry.problem} /> : null}
      </div>
      <form class="card" onSubmit={(e) => void saveWarnings(e)}>
        <h3>Expiry warnings</h3>
        <label class="field">
          <span>Warn owners this many days before a key expires (badge, in-app and email)</span>
          <input name="expiryWarningDays" value={warnings} onInput={(e) => setWarnings(e.currentTarget.value)} placeholder="30, 7, 1" />
        </label>
        {invalidIn('warnings')}
        <div class="row">
          <button type="submit" class="btn" disabled={warningsAction.busy}>
            Save thresholds
          </button>
          {savedIn('warnings') ? (
            <span class="saved" role="status">
              {savedIn('warnings')}
            </span>
          ) : null}
        </div>
        {warningsAction.problem ? <ProblemBox problem={warningsAction.problem} /> : null}
      </form>
      <IdlePolicyCard teamId={team.teamId} value={value} onSaved={props.onSaved} />
      <LeakResponseCard teamId={team.teamId} value={value} onSaved={props.onSaved} />
      <RolesCard teamId={team.teamId} />
    </section>
  );
}

/** "Expiry policy applied: keys now live at most 30 days. 3 keys got an earlier expiry; 1 of them expired at once." */
function policyReport(days: number | null, policy: Answer['policy']): string {
  if (days === null) return 'Expiry limit removed. Expiries already set stay as they are.';
  const head = `Expiry policy applied: keys now live at most ${plural(days, 'day')}.`;
  if (!policy || policy.changed === 0) return `${head} No existing key had to change.`;
  const atOnce = policy.expireNow > 0 ? `; ${policy.expireNow === policy.changed ? (policy.changed === 1 ? 'it' : 'all of them') : `${policy.expireNow} of them`} expired at once` : '';
  return `${head} ${plural(policy.changed, 'key')} got an earlier expiry${atOnce}.`;
}
