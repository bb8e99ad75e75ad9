import { useEffect, useRef, useState } from 'preact/hooks';
import { browser } from 'wxt/browser';
import { createApi, normalizeServerUrl } from '../lib/api';
import { endSession, updateSettings, type Session } from '../lib/storage';

const LOGOUT_TIMEOUT_MS = 3000;

type Health = { state: 'idle' } | { state: 'checking' } | { state: 'ok' } | { state: 'down'; message: string };

/**
 * Tells apart what a user can fix: nothing answers (server down, wrong host), something answers
 * that is not Keywarden (wrong port or path), and Keywarden without its database.
 */
export async function checkServer(url: string): Promise<Health> {
  let res: Response;
  try {
    res = await fetch(`${url}/health`, { cache: 'no-store' });
  } catch {
    return { state: 'down', message: `Nothing answers at ${url}. Is the server running, and is the address right?` };
  }
  if (res.status === 429) return { state: 'down', message: 'The server is limiting requests from this address. Try again in a moment.' };
  const body = (await res.json().catch(() => null)) as { ok?: unknown; db?: unknown } | null;
  if (typeof body?.ok !== 'boolean' || typeof body.db !== 'string') {
    const what = res.status === 404 ? 'it has no /health' : `its /health answered ${res.status}${res.ok ? ' with something else' : ''}`;
    return {
      state: 'down',
      message: `Something answers at ${url}, but it is not a Keywarden server (${what}). Use the address of the Keywarden server itself, such as http://127.0.0.1:8787, without a path.`,
    };
  }
  if (body.ok) return { state: 'ok' };
  return { state: 'down', message: `The Keywarden server at ${url} is running, but its database is unavailable. Try again in a moment.` };
}

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
  /** The last check, with the address it was for: it is shown only while the field holds that address. */
  const [checked, setChecked] = useState<{ url: string; health: Health } | null>(null);
  const latest = useRef(0);
  useEffect(() => setValue(serverUrl), [serverUrl]);

  const check = async (url: string) => {
    const run = ++latest.current;
    setChecked({ url, health: { state: 'checking' } });
    const health = await checkServer(url);
    if (run === latest.current) setChecked({ url, health });
  };

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

  const health = checked && checked.url === parseServerUrl(value) ? checked.health : { state: 'idle' as const };
  return (
    <form class="card" onSubmit={(e) => void save(e)} aria-labelledby="server-title" noValidate>
      <h2 id="server-title">Server</h2>
      <label class="field">
        <span>Keywarden server URL</span>
        <input
          type="url"
          name="serverUrl"
          value={value}
          onInput={(e) => (setValue(e.currentTarget.value), setError(null))}
          aria-invalid={error ? 'true' : undefined}
          aria-describedby="server-help"
          required
        />
      </label>
      <p id="server-help" class={error ? 'field-error' : 'hint'}>
        {error ?? 'Where your team runs Keywarden. Changing it signs you out.'}
      </p>
      <div class="row">
        <button type="submit" class="btn">Save</button>
        <button type="button" class="btn btn-link" onClick={() => void check(parseServerUrl(value) ?? serverUrl)}>
          Test connection
        </button>
        <span role="status" class={`health health-${health.state}`}>
          {health.state === 'checking' ? 'Checking…' : health.state === 'ok' ? 'Server is up.' : health.state === 'down' ? health.message : ''}
        </span>
      </div>
    </form>
  );
}
