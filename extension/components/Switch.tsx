/**
 * An on/off setting drawn as a switch (role="switch", read out as on or off). While a change is
 * saving it stays focusable but ignores clicks (aria-disabled), so keyboard focus is not lost.
 */
export function Switch(props: { id: string; checked: boolean; busy?: boolean; label: string; onToggle(): void }) {
  const { id, checked, busy } = props;
  return (
    <span class="switch-field">
      <button
        type="button"
        id={id}
        role="switch"
        class="switch"
        aria-checked={checked}
        aria-labelledby={`${id}-label`}
        aria-disabled={busy ? 'true' : undefined}
        aria-busy={busy ? 'true' : undefined}
        onClick={() => (busy ? undefined : props.onToggle())}
      >
        <span class="switch-thumb" aria-hidden="true" />
      </button>
      <label id={`${id}-label`} for={id} class="switch-label">
        {props.label}
      </label>
    </span>
  );
}
