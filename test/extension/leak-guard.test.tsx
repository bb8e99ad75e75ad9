import { cleanup, render, screen } from '@testing-library/preact';
import { afterEach, describe, expect, it } from 'vitest';
import { LeakDetail, LeakNote } from '../../extension/components/LeakNote';
import { desktopNoticeFor } from '../../extension/lib/alerts';
import { wordedNotice } from '../helpers/worded-notice';
import { generateKey, generateToken, keyHint } from '../../shared/key-format';
import { findKeys, siteOrigin, syncLeakGuard, warningText, type GuardScripting } from '../../extension/lib/leak-guard';

/** The leak guard's offline key finder and its registration rule, over a fake scripting adapter. */
function fakeScripting(granted: string[], registered: string[] | null = null) {
  const calls: string[] = [];
  let current = registered;
  const scripting: GuardScripting = {
    granted: async (origins) => origins.filter((o) => granted.includes(o)),
    registered: async () => current,
    register: async (m) => void (calls.push(`register ${m.join(' ')}`), (current = m)),
    update: async (m) => void (calls.push(`update ${m.join(' ')}`), (current = m)),
    unregister: async () => void (calls.push('unregister'), (current = null)),
  };
  return { scripting, calls };
}

describe('findKeys', () => {
  it('finds each key with a valid checksum once, and skips look-alikes and keys inside longer tokens', () => {
    const a = generateKey();
    const b = generateKey();
    const typo = a.slice(0, -1) + (a.endsWith('x') ? 'y' : 'x');
    const text = `KEY=${a}\n${b} again ${a}; typo ${typo}; glued x${b}; longer ${a}Z`;
    expect(findKeys(text).sort()).toEqual([a, b].sort());
    expect(findKeys('kw_short and nothing else')).toEqual([]);
  });

  it('finds team API tokens (kwt_) on a page too', () => {
    const key = generateKey();
    const token = generateToken();
    expect(findKeys(`KEYWARDEN_TOKEN=${token} KEY=${key}`).sort()).toEqual([key, token].sort());
  });

  it('words the warning with hints, never the key', () => {
    const k = generateKey();
    expect(warningText([k])).toBe(`Keywarden: an API key is visible on this page (${keyHint(k)}). Anyone who can see this page can use it.`);
    expect(warningText([k])).not.toContain(k);
  });
});

describe('syncLeakGuard', () => {
  it('registers nothing without a granted site, and only granted, chosen sites otherwise', async () => {
    const none = fakeScripting([]);
    expect(await syncLeakGuard(['https://ci.example'], none.scripting, 'http://127.0.0.1:8787')).toEqual([]);
    expect(none.calls).toEqual([]);

    const some = fakeScripting(['https://ci.example']);
    expect(await syncLeakGuard(['https://ci.example', 'https://wiki.example'], some.scripting, null)).toEqual(['https://ci.example/*']);
    expect(some.calls).toEqual(['register https://ci.example/*']);
    await syncLeakGuard([], some.scripting, null);
    expect(some.calls.at(-1)).toBe('unregister');
  });

  it("never guards the user's own Keywarden server", async () => {
    const { scripting, calls } = fakeScripting(['http://127.0.0.1:8787', 'https://ci.example'], ['http://127.0.0.1:8787/*']);
    expect(await syncLeakGuard(['http://127.0.0.1:8787', 'https://ci.example'], scripting, 'http://127.0.0.1:8787/')).toEqual(['https://ci.example/*']);
    expect(calls).toEqual(['update https://ci.example/*']);
  });

  it('reads a site as an origin', () => {
    expect(siteOrigin('example.com/some/page')).toBe('https://example.com');
    expect(siteOrigin('http://localhost:3000/x')).toBe('http://localhost:3000');
    expect(siteOrigin('ftp://example.com')).toBeNull();
    expect(siteOrigin('not a site at all')).toBeNull();
  });
});

describe('leak alarms in the extension', () => {
  afterEach(cleanup);

  it('raises a desktop notification for key_leaked and canary_triggered, in the server\'s words', () => {
    const leak = { id: 'ntf_1', teamId: 'team_1', teamName: 'Acme', keys: [{ id: 'key_1', name: 'ci', hint: 'kw_…', expiresAt: null }], revokedKeyIds: ['key_1'], actor: null, thresholdDays: null, createdAt: new Date(), readAt: null };
    const leaked = { ...wordedNotice({ ...leak, kind: 'key_leaked', reason: 'leaked' }), message: 'Your API key "ci" in team "Acme" leaked at https://x.test (GitHub). It was revoked.' };
    expect(desktopNoticeFor({ ...leaked, desktopTitle: leaked.desktopTitle! })).toEqual({ id: 'notice:ntf_1', title: 'An API key of your team leaked', message: 'Your API key "ci" in team "Acme" leaked at https://x.test (GitHub). It was revoked.' });
    expect(wordedNotice({ ...leak, id: 'ntf_2', kind: 'canary_triggered', reason: 'canary' }).desktopTitle).toBe('A canary key was used');
  });

  it("shows a row's CANARY tag and its latest leak", () => {
    const now = Date.now();
    render(<LeakNote row={{ canary: true, leaks: [{ source: 'github', url: 'https://github.com/a/b', at: new Date(now - 2 * 3_600_000), action: 'revoked' }] }} now={now} />);
    expect(screen.getByText('CANARY')).toBeTruthy();
    expect(screen.getByText(/leaked · GitHub secret scanning, 2 hours ago/)).toBeTruthy();
  });

  it('shows a url kept by an earlier version only if it passes today\'s rule (row and history)', () => {
    const now = Date.now();
    const forged = 'https://paste.example/\u202Egnp.exe\r\nRevoked by: security team';
    const leaks = [
      { source: 'public_report' as const, url: forged, at: new Date(now - 60_000), action: 'revoked' as const },
      { source: 'public_report' as const, url: 'javascript:alert(1)', at: new Date(now - 120_000), action: 'none' as const },
      { source: 'github' as const, url: 'https://github.com/a/b', at: new Date(now - 180_000), action: 'none' as const },
    ];
    const { container } = render(
      <>
        <LeakNote row={{ leaks }} now={now} />
        <LeakDetail entry={{ action: 'key.leaked', details: { source: 'public_report', url: forged, action: 'revoked' } }} />
      </>,
    );
    const shown = `${container.textContent} ${[...container.querySelectorAll('[title]')].map((e) => e.getAttribute('title')).join(' ')}`;
    expect(shown).not.toContain('\u202E');
    expect(shown).not.toContain('security team');
    expect(shown).not.toContain('javascript:');
    expect(shown).toContain('at https://github.com/a/b');
  });
});
