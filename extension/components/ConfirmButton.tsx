import { useState } from 'preact/hooks';
import type { ComponentChildren } from 'preact';

/**
 * A destructive button that asks inline ("Revoke? Yes / Cancel") instead of
 * window.confirm, which extension popups do not reliably show.
 */
export function ConfirmButton(props: { label: string; question: ComponentChildren; confirmLabel: string; busy?: boolean; onConfirm: () => void; class?: string }) {
  const [asking, setAsking] = useState(false);
  if (!asking) {
    return (
      <button type="button" class={props.class ?? 'btn btn-danger'} disabled={props.busy} onClick={() => setAsking(true)}>
        {props.label}
      </button>
    );
  }
  return (
    <div class="confirm-inline" role="group" aria-label="Confirm">
      <span>{props.question}</span>
      <button type="button" class="btn btn-danger" disabled={props.busy} onClick={() => (setAsking(false), props.onConfirm())} autoFocus>
        {props.confirmLabel}
      </button>
      <button type="button" class="btn" onClick={() => setAsking(false)}>
        Cancel
      </button>
    </div>
  );
}
