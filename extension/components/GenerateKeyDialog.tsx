import { useEffect, useRef, useState } from 'preact/hooks';
import { browser } from 'wxt/browser';
import { GenerateKey } from './GenerateKey';

/** The dashboard's address that opens the generate dialog, e.g. from a popup notice ("Generate a replacement"). */
export function generateInDashboardUrl(name?: string): string {
  return `${browser.runtime.getURL('/dashboard.html')}#generate${name ? `=${encodeURIComponent(name)}` : ''}`;
}

/** Reads (and clears) a "#generate[=name]" request from the dashboard's address. */
export function takeGenerateRequest(): { name: string } | null {
  const match = /^#generate(?:=(.*))?$/.exec(location.hash);
  if (!match) return null;
  history.replaceState(null, '', location.pathname + location.search);
  try {
    return { name: match[1] ? decodeURIComponent(match[1]) : '' };
  } catch {
    return { name: '' };
  }
}

/**
 * Generate a key in a modal dialog, in a tab that does not close when it loses focus (the
 * popup does). Once the secret is on screen, neither Escape nor a click outside closes the
 * dialog: only "I have copied it" + Done does.
 */
export function GenerateKeyDialog(props: {
  open: boolean;
  teamId: string;
  maxLifetimeDays: number | null;
  initialName?: string;
  allowCanary?: boolean;
  /** Admins: the new key's permissions and roles. */
  allowPolicy?: boolean;
  onCreated(): void;
  onClose(): void;
}) {
  const ref = useRef<HTMLDialogElement>(null);
  const [holdsSecret, setHoldsSecret] = useState(false);
  /** The same, for the dialog's event handlers, which may run before a re-render. */
  const holds = useRef(false);
  useEffect(() => {
    const dialog = ref.current;
    if (!dialog) return;
    if (props.open && !dialog.open) dialog.showModal();
    if (!props.open && dialog.open) dialog.close();
  }, [props.open]);

  const setSecret = (shown: boolean) => {
    holds.current = shown;
    setHoldsSecret(shown);
  };

  return (
    <dialog
      ref={ref}
      class="dialog dialog-generate"
      aria-labelledby="generate-title"
      onCancel={(e) => {
        if (holds.current) e.preventDefault();
      }}
      onClose={() => {
        // Chrome lets a repeated Escape close a dialog whatever its cancel handler says: reopen it.
        if (holds.current && props.open) ref.current?.showModal();
        else if (props.open) props.onClose();
      }}
    >
      <h2 id="generate-title">Generate an API key</h2>
      {props.open ? (
        <GenerateKey
          teamId={props.teamId}
          maxLifetimeDays={props.maxLifetimeDays}
          initialName={props.initialName}
          allowCanary={props.allowCanary}
          allowPolicy={props.allowPolicy}
          onCreated={props.onCreated}
          onSecret={setSecret}
          onDone={props.onClose}
        />
      ) : null}
      {!holdsSecret ? (
        <div class="row dialog-actions">
          <button type="button" class="btn btn-link" onClick={props.onClose}>
            Cancel
          </button>
        </div>
      ) : null}
    </dialog>
  );
}
