import { useState } from 'preact/hooks';
import type { KeyRow } from '../../shared/schemas/key';
import { KeyLimitsInput, type Credits, type Ratelimit } from '../../shared/schemas/limits';
import { useApi } from '../hooks/session-context';
import { formatCount } from '../lib/plural';

/**
 * A key's rate limits and credits in the key details panel (issue 25): shown to whoever sees the
 * key, edited by admins. The form is checked with the shared schema before it is sent; the server
 * checks it again and words any refusal.
 */
type Limits = Pick<KeyRow, 'ratelimits' | 'credits'>;

const describeLimit = (l: Ratelimit) => `${l.name}: ${formatCount(l.limit)} per ${l.durationMs % 1000 === 0 ? `${formatCount(l.durationMs / 1000)} s` : `${l.durationMs} ms`}${l.autoApply ? '' : ' (when named)'}`;
const describeRefill = (c: Credits) =>
  c.refill ? `, refilled to ${formatCount(c.refill.amount)} ${c.refill.interval === 'daily' ? 'daily' : `monthly on day ${c.refill.refillDay ?? 1}`} (00:00 UTC)` : '';

/** The line a key row shows: "120 credits left", or nothing for a key without credits. */
export function creditsLeft(row: Partial<Limits>): string | null {
  return row.credits ? `${formatCount(row.credits.remaining)} credits left` : null;
}

/** Shown when the panel's key came with its limits (a table row); a key named by the overview has none to show. */
export function KeyLimitsCard({ teamId, keyId, row, admin }: { teamId: string; keyId: string; row: Partial<Limits> & Pick<KeyRow, 'id'>; admin: boolean }) {
  const api = useApi();
  const [saved, setSaved] = useState<Partial<Limits>>(row);
  const [editing, setEditing] = useState(false);
  const [text, setText] = useState('');
  const [problem, setProblem] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const limits = saved.ratelimits ?? [];

  function startEdit() {
    setText(JSON.stringify({ ratelimits: limits, credits: saved.credits ?? null }, null, 2));
    setProblem(null);
    setEditing(true);
  }

  async function save() {
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch {
      setProblem('Not valid JSON.');
      return;
    }
    const parsed = KeyLimitsInput.safeParse(value);
    if (!parsed.success) {
      setProblem(parsed.error.issues.map((i) => `${i.path.join('.') || 'limits'}: ${i.message}`).join('; '));
      return;
    }
    setBusy(true);
    try {
      const updated = await api.keys.update.mutate({ teamId, keyId, ...parsed.data });
      setSaved(updated);
      setEditing(false);
    } catch (err) {
      setProblem(err instanceof Error ? err.message : 'Could not save the limits.');
    } finally {
      setBusy(false);
    }
  }

  if (saved.ratelimits === undefined) return null;
  return (
    <section aria-labelledby={`limits-${keyId}`}>
      <h3 id={`limits-${keyId}`}>Rate limits and credits</h3>
      <dl class="details">
        <dt>Rate limits</dt>
        <dd>{limits.length > 0 ? limits.map(describeLimit).join('; ') : 'None'}</dd>
        <dt>Credits</dt>
        <dd>{saved.credits ? `${formatCount(saved.credits.remaining)} left${describeRefill(saved.credits)}` : 'Unlimited'}</dd>
      </dl>
      {admin && !editing ? (
        <button type="button" class="btn" onClick={startEdit}>
          Edit limits
        </button>
      ) : null}
      {admin && editing ? (
        <div class="stack">
          <label for={`limits-edit-${keyId}`}>Limits (JSON: ratelimits [{'{'}name, limit, durationMs, autoApply{'}'}], credits {'{'}remaining, refill{'}'} or null)</label>
          <textarea id={`limits-edit-${keyId}`} class="mono" rows={8} value={text} onInput={(e) => setText((e.target as HTMLTextAreaElement).value)} />
          {problem ? (
            <p role="alert" class="problem">
              {problem}
            </p>
          ) : null}
          <div class="row">
            <button type="button" class="btn btn-primary" disabled={busy} onClick={() => void save()}>
              Save limits
            </button>
            <button type="button" class="btn" disabled={busy} onClick={() => setEditing(false)}>
              Cancel
            </button>
          </div>
        </div>
      ) : null}
    </section>
  );
}

/** The credits a row shows under its name ("120 credits left"); nothing for a key without credits. */
export function CreditsNote({ row }: { row: Partial<Limits> & Pick<KeyRow, 'id'> }) {
  const text = creditsLeft(row);
  return text ? <span class={row.credits?.remaining === 0 ? 'tried-after' : 'muted'}>{text}</span> : null;
}
