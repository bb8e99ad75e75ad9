import { useEffect, useState } from 'preact/hooks';
import { browser } from 'wxt/browser';
import { createApi, normalizeServerUrl } from '../lib/api';
import { endSession, updateSettings, type Session } from '../lib/storage';

const LOGOUT_TIMEOUT_MS = 3000;

type Health = { state: 'idle' } | { state: 'checking' } | { state: 'ok' } | { state: 'down'; message: string };

export function parseServerUrl(input: string): string | null {
  try {
    const url = new URL(normalizeServerUrl(input));
    return url.protocol === 'http:' || url.protocol === 'https:' ? normalizeServerUrl(url.origin + url.pathname) : null;
  } catch {
    return null;
  }
}

/**
 * The server URL. Host permission for exactly that origin is *offered* but
 * never awaited: the server's CORS already admits the extension, and in some
 * browsers (headless ones) the prompt never answers.
 */
export function ServerForm({ serverUrl, session }: { serverUrl: string; session: Session | null }) {
  const [value, setValue] = useState(serverUrl);
  const [error, setError] = useState<string | null>(null);
  const [health, setHealth] = useState<Health>({ state: 'idle' });
  useEffect(() => setValue(serverUrl), [serverUrl]);

  const save = async (e: Event) => {
    e.preventDefault();
    const url = parseServerUrl(value);
    if (!url) return setError('Enter a full http:// or https:// address, e.g. https://keys.example.com');
    setError(null);
    void browser.permissions.request({ origins: [`${new URL(url).origin}/*`] }).catch(() => false);
    if (session && session.serverUrl !== url) {
      // Revoke the token on the old server too, or it stays valid there. Best effort and bounded:
      // that server may well be down (often why the URL changes); the local sign-out never waits on it.
      await createApi(session.serverUrl, session.token)
        .auth.logout.mutate(undefined, { signal: AbortSignal.timeout(LOGOUT_TIMEOUT_MS) })
        .catch(() => {});
      await endSession('signed_out');
    }
    await updateSettings({ serverUrl: url });
    await check(url);
  };

  const check = async (url: string) => {
    setHealth({ state: 'checking' });
    try {
      const res = await fetch(`${url}/health`);
      setHealth(res.ok ? { state: 'ok' } : { state: 'down', message: `The server answered ${res.status}: its database may be unavailable.` });
    } catch {
      setHealth({ state: 'down', message: `Nothing answers at ${url}.` });
    }
  };

  return (
    <form class="card" onSubmit={(e) => void save(e)} aria-labelledby="server-title" noValidate>
      <h2 id="server-title">Server</h2>
      <label class="field">
        <span>Keywarden server URL</span>
        <input type="url" name="serverUrl" value={value} onInput={(e) => setValue(e.currentTarget.value)} aria-invalid={error ? 'true' : undefined} aria-describedby="server-help" required />
      </label>
      <p id="server-help" class={error ? 'field-error' : 'hint'}>
        {error ?? 'Where your team runs Keywarden. Changing it signs you out.'}
      </p>
      <div class="row">
        <button type="submit" class="btn">Save</button>
        <button type="button" class="btn btn-link" onClick={() => void check(serverUrl)}>
          Test connection
        </button>
        <span role="status" class={`health health-${health.state}`}>
          {health.state === 'checking' ? 'Checking…' : health.state === 'ok' ? 'Server is up.' : health.state === 'down' ? health.message : ''}
        </span>
      </div>
    </form>
  );
}
