import { useState } from 'preact/hooks';

type SecretKind = 'key' | 'token';
const WORDS: Record<SecretKind, { title: string; label: string; noun: string }> = {
  key: { title: 'Key', label: 'Your new API key', noun: 'key' },
  token: { title: 'API token', label: 'Your new API token', noun: 'token' },
};

/**
 * A freshly generated key (or team API token): shown once, with a copy button and a plain
 * warning. It is put away only by ticking "I have copied it" and pressing Done: two
 * deliberate steps, so a stray click cannot lose the only copy.
 */
export function SecretOnce({ secret, name, onDone, kind = 'key' }: { secret: string; name: string; onDone: () => void; kind?: SecretKind }) {
  const words = WORDS[kind];
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
      <h3 id="secret-title">{words.title} "{name}" created</h3>
      <p class="warning">Copy it now. This is the only time Keywarden shows it: it is not stored anywhere and cannot be shown again.</p>
      <div class="secret-row">
        <input class="mono" readOnly value={secret} aria-label={words.label} onFocus={(e) => e.currentTarget.select()} />
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
          <span>I have copied the {words.noun} and stored it safely</span>
        </label>
        <button type="button" class="btn" disabled={!stored} onClick={onDone}>
          Done
        </button>
      </div>
    </div>
  );
}
