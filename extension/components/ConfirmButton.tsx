import { useEffect, useRef, useState } from 'preact/hooks';
import type { ComponentChildren } from 'preact';

/**
 * A destructive button that asks inline ("Revoke? Yes / Cancel") instead of
 * window.confirm, which extension popups do not reliably show.
 */
export function ConfirmButton(props: { label: string; question: ComponentChildren; confirmLabel: string; busy?: boolean; onConfirm: () => void; class?: string }) {
  const [asking, setAsking] = useState(false);
  const trigger = useRef<HTMLButtonElement>(null);
  const cancel = useRef<HTMLButtonElement>(null);
  const asked = useRef(false);
  // Each view replaces the button that had focus; without this, focus falls to <body> and a keyboard
  // or screen-reader user loses their place. Cancel, not the destructive choice, gets it.
  useEffect(() => {
    if (asking) cancel.current?.focus();
    else if (asked.current) trigger.current?.focus();
    asked.current = asking;
  }, [asking]);
  if (!asking) {
    return (
      <button type="button" ref={trigger} class={props.class ?? 'btn btn-danger'} disabled={props.busy} onClick={() => setAsking(true)}>
        {props.label}
      </button>
    );
  }
  return (
    <div class="confirm-inline" role="group" aria-label="Confirm">
      <span>{props.question}</span>
      <button type="button" class="btn btn-danger" disabled={props.busy} onClick={() => (setAsking(false), props.onConfirm())}>
        {props.confirmLabel}
      </button>
      <button type="button" class="btn" ref={cancel} onClick={() => setAsking(false)}>
        Cancel
      </button>
    </div>
  );
}
