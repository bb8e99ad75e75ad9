import { useEffect, useState } from 'preact/hooks';
import { browser } from 'wxt/browser';
import { leakGuardSitesItem, originPattern, siteOrigin } from '../lib/leak-guard';

/**
 * The leak guard's opt-in, on the options page: the user names a site, and the
 * extension asks for access to that site alone, at that moment. No site is
 * guarded by default; removing a site gives its access back.
 */
export function LeakGuardSettings({ serverUrl }: { serverUrl: string }) {
  const [sites, setSites] = useState<string[]>([]);
  const [draft, setDraft] = useState('');
  const [problem, setProblem] = useState<string | null>(null);
  const server = siteOrigin(serverUrl);

  useEffect(() => {
    void leakGuardSitesItem.getValue().then(setSites);
    return leakGuardSitesItem.watch((next) => setSites(next ?? []));
  }, []);

  const add = async (e: Event) => {
    e.preventDefault();
    setProblem(null);
    const origin = siteOrigin(draft);
    if (!origin) return setProblem('Enter a web address, such as https://example.com.');
    if (origin === server) return setProblem('Your own Keywarden server is never guarded: its pages show keys on purpose.');
    // The permission prompt must come straight from the click: nothing is awaited before it.
    const granted = await browser.permissions.request({ origins: [originPattern(origin)] }).catch(() => false);
    if (!granted) return setProblem(`Access to ${origin} was not granted, so it is not guarded.`);
    const current = await leakGuardSitesItem.getValue();
    if (!current.includes(origin)) await leakGuardSitesItem.setValue([...current, origin]);
    setDraft('');
  };

  const remove = async (origin: string) => {
    await leakGuardSitesItem.setValue((await leakGuardSitesItem.getValue()).filter((s) => s !== origin));
    if (origin !== server) await browser.permissions.remove({ origins: [originPattern(origin)] }).catch(() => false);
  };

  return (
    <section class="card" aria-labelledby="leak-guard-title">
      <h2 id="leak-guard-title">Leak guard</h2>
      <p class="hint">
        Warns you when a Keywarden API key shows on a site you choose, or is pasted into one of its fields. Off everywhere until you add a site; the extension
        then asks for access to that site only. Page text never leaves your browser: only a key found is checked with your Keywarden server.
      </p>
      {sites.length > 0 ? (
        <ul class="plain-list" aria-label="Guarded sites">
          {sites.map((s) => (
            <li key={s} class="row">
              <span class="mono">{s}</span>
              <button type="button" class="btn btn-small" onClick={() => void remove(s)} aria-label={`Stop guarding ${s}`}>
                Remove
              </button>
            </li>
          ))}
        </ul>
      ) : (
        <p class="hint">No site is guarded.</p>
      )}
      <form class="row" onSubmit={(e) => void add(e)}>
        <label class="field field-inline">
          <span>Site to guard</span>
          <input type="text" name="leakGuardSite" placeholder="https://example.com" value={draft} onInput={(e) => setDraft(e.currentTarget.value)} />
        </label>
        <button type="submit" class="btn">
          Guard this site
        </button>
      </form>
      {problem ? (
        <p class="notice" role="alert">
          {problem}
        </p>
      ) : null}
    </section>
  );
}
