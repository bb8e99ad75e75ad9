import { useState } from 'preact/hooks';

/**
 * A freshly generated key: shown once, with a copy button and a plain warning. It is put
 * away only by ticking "I have copied it" and pressing Done: two deliberate steps, so a
 * stray click cannot lose the only copy.
 */
export function SecretOnce({ secret, name, onDone }: { secret: string; name: string; onDone: () => void }) {
  const [copy, setCopy] = useState<'idle' | 'copied' | 'failed'>('idle');
  const [stored, setStored] = useState(false);
  // The clipboard can refuse (no focus, a policy); the key is shown only once, so say so and let the user copy by hand.
  const copyKey = async () => {
    try {
      await navigator.clipboard.writeText(secret);
      setCopy('copied');
    } catch {
      setCopy('failed');
    }
  };
  return (
    <div class="secret" role="alert" aria-labelledby="secret-title">
      <h3 id="secret-title">Key "{name}" created</h3>
      <p class="warning">Copy it now. This is the only time Keywarden shows it: it is not stored anywhere and cannot be shown again.</p>
      <div class="secret-row">
        <input class="mono" readOnly value={secret} aria-label="Your new API key" onFocus={(e) => e.currentTarget.select()} />
        <button type="button" class="btn btn-primary" onClick={() => void copyKey()}>
          {copy === 'copied' ? 'Copied' : 'Copy'}
        </button>
      </div>
      {copy === 'failed' ? (
        <p class="field-error" role="alert">
          Copy failed — select the field and copy it yourself.
        </p>
      ) : null}
      <div class="row secret-done">
        <label class="check">
          <input type="checkbox" name="storedSafely" checked={stored} onChange={(e) => setStored(e.currentTarget.checked)} />
          <span>I have copied the key and stored it safely</span>
        </label>
        <button type="button" class="btn" disabled={!stored} onClick={onDone}>
          Done
        </button>
      </div>
    </div>
  );
}
