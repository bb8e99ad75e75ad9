import { createServer, type Server } from 'node:http';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateKey } from '../../shared/key-format';
import { launchWithExtension, type ExtensionBrowser } from '../helpers/browser';
import { POLL, sessionOf, setSession, settingsFor } from '../helpers/extension-flow';
import { auditOf } from '../helpers/fixtures';
import { createTeam, startTestServer, type TestServer } from '../helpers/harness';
import { startSmtpSink, type SmtpSink } from '../helpers/smtp-sink';

/**
 * The leak guard in Chromium: a local test site (on `localhost`, the Keywarden
 * server being on 127.0.0.1) shows a key of the team. Until the user grants the
 * extension that site, nothing is injected; once granted, the page gets the
 * in-page warning, the tab's badge turns red, and a desktop notification
 * offers "Revoke now" and "Report as leaked".
 */
let sink: SmtpSink;
let server: TestServer;
let ext: ExtensionBrowser;
let site: Server;
let siteOrigin: string;
let pageBody = '';

beforeAll(async () => {
  sink = await startSmtpSink();
  server = await startTestServer({ label: 'leak-guard', smtpUrl: sink.url });
  site = createServer((_req, res) => {
    res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
    res.end(`<!doctype html><html><head><title>Build log</title></head><body><h1>Build log</h1>${pageBody}<input id="field" aria-label="Field"></body></html>`);
  });
  await new Promise<void>((resolve) => site.listen(0, '127.0.0.1', resolve));
  siteOrigin = `http://localhost:${(site.address() as { port: number }).port}`;
  ext = await launchWithExtension();
});

afterAll(async () => {
  await ext?.close();
  await new Promise<void>((resolve) => (site ? site.close(() => resolve()) : resolve()));
  await server?.close();
  await sink?.stop();
});

const registeredMatches = () =>
  ext.inWorker(async () => ((await (globalThis as any).chrome.scripting.getRegisteredContentScripts()) as { id: string; matches: string[] }[]).flatMap((s) => s.matches));

/** The text inside the warning's closed shadow root, read through the DevTools protocol (which, unlike the page, can pierce it). */
async function warningText(page: Page): Promise<string | null> {
  const cdp = await page.context().newCDPSession(page);
  try {
    const { root } = await cdp.send('DOM.getDocument', { depth: -1, pierce: true });
    type DomNode = { nodeName: string; nodeValue?: string; children?: DomNode[]; shadowRoots?: DomNode[] };
    const host = (function find(n: DomNode): DomNode | null {
      if (n.nodeName === 'KEYWARDEN-LEAK-GUARD') return n;
      for (const c of [...(n.children ?? []), ...(n.shadowRoots ?? [])]) {
        const hit = find(c);
        if (hit) return hit;
      }
      return null;
    })(root as DomNode);
    if (!host) return null;
    const texts: string[] = [];
    (function collect(n: DomNode) {
      if (n.nodeName === '#text' && n.nodeValue) texts.push(n.nodeValue);
      for (const c of [...(n.children ?? []), ...(n.shadowRoots ?? [])]) collect(c);
    })(host);
    return texts.join(' ');
  } finally {
    await cdp.detach();
  }
}

/** The badge Chrome shows on the tab at `prefix` (a tab's own badge wins over the global one). */
const tabBadge = (prefix: string) =>
  ext.worker.evaluate(async (p) => {
    const chrome = (globalThis as any).chrome;
    const tabs: { id: number; url?: string }[] = await chrome.tabs.query({});
    const tab = tabs.find((t) => t.url?.startsWith(p));
    return tab ? { text: await chrome.action.getBadgeText({ tabId: tab.id }), color: await chrome.action.getBadgeBackgroundColor({ tabId: tab.id }) } : null;
  }, prefix);

const leakNotifications = () =>
  ext.worker.evaluate(async () => Object.keys(await (globalThis as any).chrome.notifications.getAll()).filter((id: string) => id.startsWith('leak:') && !id.endsWith(':done')));

describe('the leak guard', () => {
  it('injects nothing on a site the user has not granted, and warns (page, badge, notification) once it is granted', async () => {
    const team = await createTeam(server, 'Guarded');
    const created = await team.admin.api.keys.create.mutate({ teamId: team.teamId, name: 'ci-deploy' });
    pageBody = `<pre>export KEYWARDEN_KEY=${created.key}</pre>`;
    await setSession(ext, sessionOf(server.url, team.admin, { teamId: team.teamId, name: 'Guarded', role: 'super_admin' }), settingsFor(server.url));

    // No grant: no content script is registered, and the page gets nothing.
    expect(await registeredMatches()).toEqual([]);
    const before = await ext.context.newPage();
    await before.goto(`${siteOrigin}/build/1`);
    await before.evaluate(() => new Promise((r) => requestIdleCallback(r)));
    expect(await before.evaluate(() => document.querySelector('keywarden-leak-guard'))).toBeNull();
    expect(await warningText(before)).toBeNull();
    await before.close();

    // The user grants the site: Chrome's site-access setting (what the permission prompt records), then the options page.
    const extensionsPage = await ext.context.newPage();
    await extensionsPage.goto('chrome://extensions/');
    await extensionsPage.evaluate(([id, pattern]) => (globalThis as any).chrome.developerPrivate.addHostPermission(id, pattern), [ext.extensionId, `${siteOrigin}/*`] as const);
    await extensionsPage.close();
    const options = await ext.context.newPage();
    await options.goto(ext.url('options.html'));
    await options.getByLabel('Site to guard').fill(siteOrigin);
    await options.getByRole('button', { name: 'Guard this site' }).click();
    await options.getByRole('list', { name: 'Guarded sites' }).getByText(siteOrigin).waitFor();
    await expect.poll(registeredMatches, POLL).toEqual([`${siteOrigin}/*`]);
    await options.close();

    const page = await ext.context.newPage();
    await page.goto(`${siteOrigin}/build/2`);
    await expect.poll(() => warningText(page), POLL).toContain('Keywarden: an API key is visible on this page');
    expect(await warningText(page)).toContain(created.row.hint);
    expect(await warningText(page)).not.toContain(created.key);
    // The page sees an element, but not into it.
    expect(await page.evaluate(() => (document.querySelector('keywarden-leak-guard') as HTMLElement | null)?.shadowRoot ?? 'closed')).toBe('closed');

    await expect.poll(() => tabBadge(siteOrigin), POLL).toEqual({ text: '!', color: [217, 48, 37, 255] });
    await expect.poll(async () => (await leakNotifications()).length, POLL).toBe(1);

    // A key pasted into a field is caught too (a key of no team: only "Report as leaked").
    const stranger = generateKey();
    await page.evaluate((text) => {
      const data = new DataTransfer();
      data.setData('text/plain', text);
      document.getElementById('field')!.dispatchEvent(new ClipboardEvent('paste', { clipboardData: data, bubbles: true }));
    }, stranger);
    await expect.poll(() => warningText(page), POLL).toContain('2 API keys are visible');
    await expect.poll(async () => (await leakNotifications()).length, POLL).toBe(2);

    // "Revoke now" on the team key's notification: revoked as leaked, found by the extension.
    const [first] = await ext.worker.evaluate(async () => {
      const all = await (globalThis as any).chrome.storage.session.get('leakPending');
      return Object.entries(all.leakPending as Record<string, { key: string; buttons: string[] }>).map(([id, p]) => ({ id, key: p.key, buttons: p.buttons }));
    }).then((entries) => entries.filter((e) => e.key === created.key));
    expect(first!.buttons).toEqual(['revoke', 'report']);
    await ext.worker.evaluate((id) => (globalThis as any).keywarden.leakButton(id, 0), first!.id);
    await expect
      .poll(async () => (await team.admin.api.keys.lookup.query({ teamId: team.teamId, key: created.key }))?.revokedReason, POLL)
      .toBe('leaked');
    const [leak] = await auditOf(server, team.teamId, 'key.leaked');
    expect(leak!.details).toMatchObject({ source: 'extension', url: `${siteOrigin}/build/2` });
    await page.close();
  });
});
