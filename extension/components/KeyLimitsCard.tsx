import { useState } from 'preact/hooks';
import type { KeyRow } from '../../shared/schemas/key';
import type { Credits, Ratelimit } from '../../shared/schemas/limits';
import { formatCount } from '../lib/plural';
import { KeyLimitsForm } from './KeyLimitsForm';

/**
 * A key's rate limits and credits in the key details panel (issue 25): shown to whoever sees the
 * key, edited by admins in KeyLimitsForm.
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
  const [saved, setSaved] = useState<Partial<Limits>>(row);
  const [editing, setEditing] = useState(false);
  const limits = saved.ratelimits ?? [];

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
        <button type="button" class="btn" onClick={() => setEditing(true)}>
          Edit limits
        </button>
      ) : null}
      {admin && editing ? (
        <KeyLimitsForm
          teamId={teamId}
          keyId={keyId}
          initial={saved}
          onCancel={() => setEditing(false)}
          onSaved={(updated) => {
            setSaved(updated);
            setEditing(false);
          }}
        />
      ) : null}
    </section>
  );
}

/** The credits a row shows under its name ("120 credits left"); nothing for a key without credits. */
export function CreditsNote({ row }: { row: Partial<Limits> & Pick<KeyRow, 'id'> }) {
  const text = creditsLeft(row);
  return text ? <span class={row.credits?.remaining === 0 ? 'tried-after' : 'muted'}>{text}</span> : null;
}
