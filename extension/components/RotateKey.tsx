import { useState } from 'preact/hooks';
import type { KeyRow } from '../../shared/schemas/key';
import { DEFAULT_GRACE_HOURS, GRACE_CHOICES } from '../../shared/schemas/lifecycle';
import { useApi } from '../hooks/session-context';
import { useAction } from '../hooks/use-async';
import { formatDateTime, formatShortDateTime } from '../lib/format';
import { ProblemBox } from './ProblemBox';
import { SecretOnce } from './SecretOnce';

/** The short list of grace periods (Stripe offers "now" up to 7 days). */
export const GRACE_LABELS: Record<(typeof GRACE_CHOICES)[number], string> = { 0: 'now', 1: '1 hour', 24: '24 hours', 168: '7 days' };

/** "Rotate" is offered where Revoke is, for keys that still work and are not being rotated already (a canary never works). */
export const canRotate = (row: KeyRow) => row.status === 'enabled' && !row.rotation && !row.canary;

export type Rotated = { row: KeyRow; previous: KeyRow };

/**
 * Rotate a key: choose how long the old key keeps working, confirm, then see the new key once.
 * `onClose` gets both rows as the server answered (null when cancelled) only once the new key
 * is put away: a host that reloads its list then cannot unmount the only copy on screen.
 */
export function RotatePanel(props: { teamId: string; row: KeyRow; onClose: (rotated: Rotated | null) => void }) {
  const api = useApi();
  const { busy, problem, act } = useAction();
  const [grace, setGrace] = useState<number>(DEFAULT_GRACE_HOURS);
  const [secret, setSecret] = useState<{ key: string; rotated: Rotated } | null>(null);

  if (secret) return <SecretOnce secret={secret.key} name={secret.rotated.row.name} onDone={() => props.onClose(secret.rotated)} />;

  const rotate = async () => {
    const result = await act(() => api.keys.rotate.mutate({ teamId: props.teamId, keyId: props.row.id, graceHours: grace }));
    if (!result) return;
    setSecret({ key: result.key, rotated: { row: result.row, previous: result.previous } });
  };

  return (
    <div class="rotate-panel" role="group" aria-label={`Rotate ${props.row.name}`}>
      <p>
        Rotate <strong>“{props.row.name}”</strong>: a new key with the same name replaces it.{' '}
        {grace === 0 ? 'The old key stops working at once.' : `The old key keeps working for ${GRACE_LABELS[grace as keyof typeof GRACE_LABELS]}, then is revoked.`}
      </p>
      <label class="field">
        <span>Old key works for</span>
        <select value={String(grace)} onChange={(e) => setGrace(Number(e.currentTarget.value))} aria-label="Grace period">
          {GRACE_CHOICES.map((h) => (
            <option key={h} value={String(h)}>
              {h === 0 ? 'no time (revoke now)' : GRACE_LABELS[h]}
            </option>
          ))}
        </select>
      </label>
      {problem ? <ProblemBox problem={problem} /> : null}
      <div class="row">
        <button type="button" class="btn btn-primary btn-small" disabled={busy} onClick={() => void rotate()}>
          {busy ? 'Rotating…' : 'Rotate key'}
        </button>
        <button type="button" class="btn btn-link btn-small" disabled={busy} onClick={() => props.onClose(null)}>
          Cancel
        </button>
      </div>
    </div>
  );
}

/** "rotating — old key works until Mar 4, 14:30" (the date never split: two lines at most in the popup) on the old key, "replaces …" on the new; each links to the other's row. */
export function RotationNote({ row }: { row: Pick<KeyRow, 'rotation' | 'replaces'> }) {
  if (!row.rotation && !row.replaces) return null;
  return (
    <span class="rotation-note">
      {row.rotation ? (
        <>
          rotating — old key works until{' '}
          <time dateTime={new Date(row.rotation.graceEndsAt).toISOString()} title={formatDateTime(row.rotation.graceEndsAt)}>
            {formatShortDateTime(row.rotation.graceEndsAt)}
          </time>{' '}
          · <a href={`#key-${row.rotation.replacedBy}`}>new key</a>
        </>
      ) : (
        <>
          replaces <a href={`#key-${row.replaces}`}>the previous key</a>
        </>
      )}
    </span>
  );
}
