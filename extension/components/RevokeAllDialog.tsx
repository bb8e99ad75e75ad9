import { useEffect, useRef, useState } from 'preact/hooks';
import { pick, plural } from '../lib/plural';
import { ProgressLine } from './ProgressLine';
import { UsageImpact } from './UsageImpact';

export const REVOKE_ALL_PHRASE = 'REVOKE ALL';

/** Revoke All behind a typed confirmation, in a modal <dialog> (focus is trapped by the browser). */
export function RevokeAllDialog(props: {
  open: boolean;
  teamName: string;
  counts: { enabled: number; disabled: number } | null;
  /** The team's last 24 h, read when the dialog opens. */
  impact?: () => Promise<string | null>;
  busy: boolean;
  /** Keys done of total while the revocation runs (keys.actionProgress). */
  progress?: { done: number; total: number } | null;
  onConfirm(): void;
  onClose(): void;
}) {
  const ref = useRef<HTMLDialogElement>(null);
  const [typed, setTyped] = useState('');
  useEffect(() => {
    const dialog = ref.current;
    if (!dialog) return;
    if (props.open && !dialog.open) dialog.showModal();
    if (!props.open && dialog.open) dialog.close();
    if (!props.open) setTyped('');
  }, [props.open]);

  return (
    <dialog ref={ref} class="dialog" aria-labelledby="revoke-all-title" onClose={props.onClose}>
      <form
        method="dialog"
        onSubmit={(e) => {
          e.preventDefault();
          if (typed === REVOKE_ALL_PHRASE) props.onConfirm();
        }}
      >
        <h2 id="revoke-all-title">Revoke every key of {props.teamName}?</h2>
        <p>{impact(props.counts)} Owners are notified. This cannot be undone.</p>
        {props.open && props.impact ? (
          <p>
            <UsageImpact load={props.impact} />
          </p>
        ) : null}
        <label class="field">
          <span>
            Type <strong class="mono">{REVOKE_ALL_PHRASE}</strong> to confirm
          </span>
          <input name="confirmPhrase" value={typed} onInput={(e) => setTyped(e.currentTarget.value)} autoComplete="off" autoFocus />
        </label>
        {props.busy && props.progress ? <ProgressLine {...props.progress} /> : null}
        <div class="row">
          <button type="submit" class="btn btn-danger" disabled={typed !== REVOKE_ALL_PHRASE || props.busy}>
            {props.busy ? 'Revoking…' : 'Revoke all keys'}
          </button>
          <button type="button" class="btn" onClick={props.onClose}>
            Cancel
          </button>
        </div>
      </form>
    </dialog>
  );
}

/** "3 working keys stop working at once, and 1 disabled key can never be enabled again." */
function impact(counts: { enabled: number; disabled: number } | null): string {
  if (!counts) return 'Every key of the team stops working at once, for every member.';
  if (counts.enabled + counts.disabled === 0) return 'The team has no working or disabled keys: nothing would change.';
  const working = counts.enabled > 0 ? `${plural(counts.enabled, 'working key')} ${pick(counts.enabled, 'stops', 'stop')} working at once` : '';
  const disabled = counts.disabled > 0 ? `${plural(counts.disabled, 'disabled key')} can never be enabled again` : '';
  const both = [working, disabled].filter(Boolean).join(', and ');
  return `${both[0]!.toUpperCase()}${both.slice(1)}.`;
}
