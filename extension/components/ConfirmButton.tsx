import { useEffect, useRef, useState } from 'preact/hooks';
import type { ComponentChildren } from 'preact';

/**
 * The question of a destructive action, inline ("Revoke? Yes / Cancel"), instead of
 * window.confirm, which extension popups do not reliably show. It replaces the button that
 * had focus, so Cancel (not the destructive choice) takes the focus; without that it falls
 * to <body> and a keyboard or screen-reader user loses their place.
 */
export function ConfirmPrompt(props: { question: ComponentChildren; confirmLabel: string; busy?: boolean; onConfirm(): void; onCancel(): void; label?: string }) {
  const cancel = useRef<HTMLButtonElement>(null);
  useEffect(() => cancel.current?.focus(), []);
  return (
    <div class="confirm-inline" role="group" aria-label={props.label ?? 'Confirm'}>
      <span>{props.question}</span>
      <button type="button" class="btn btn-danger" disabled={props.busy} onClick={props.onConfirm}>
        {props.confirmLabel}
      </button>
      <button type="button" class="btn" ref={cancel} onClick={props.onCancel}>
        Cancel
      </button>
    </div>
  );
}

/** A destructive button that asks inline first; focus returns to it when the question is cancelled. */
export function ConfirmButton(props: { label: string; ariaLabel?: string; question: ComponentChildren; confirmLabel: string; busy?: boolean; onConfirm: () => void; class?: string }) {
  const [asking, setAsking] = useState(false);
  const trigger = useRef<HTMLButtonElement>(null);
  const asked = useRef(false);
  useEffect(() => {
    if (!asking && asked.current) trigger.current?.focus();
    asked.current = asking;
  }, [asking]);
  if (!asking) {
    return (
      <button type="button" ref={trigger} class={props.class ?? 'btn btn-danger'} aria-label={props.ariaLabel} disabled={props.busy} onClick={() => setAsking(true)}>
        {props.label}
      </button>
    );
  }
  return <ConfirmPrompt question={props.question} confirmLabel={props.confirmLabel} busy={props.busy} onConfirm={() => (setAsking(false), props.onConfirm())} onCancel={() => setAsking(false)} />;
}
