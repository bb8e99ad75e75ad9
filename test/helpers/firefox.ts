import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import WebSocket from 'ws';

/**
 * Debian's Firefox ESR, headless, with the Firefox build of the extension
 * installed as a temporary add-on. It is driven over WebDriver BiDi, which
 * Firefox serves itself (no geckodriver, which Debian does not package;
 * Playwright's Firefox is a patched build that cannot be downloaded here).
 * BiDi may not navigate a tab to a moz-extension:// page, so `open` asks the
 * browser window to open one (`--remote-allow-system-access`).
 */

export const FIREFOX = process.env.FIREFOX_PATH || '/usr/bin/firefox-esr';
export const hasFirefox = () => existsSync(FIREFOX);

const ADDON_ID = 'keywarden@keywarden.invalid';
const DEADLINE_MS = 60_000;

/** Quiet, offline-friendly preferences; the add-on's internal UUID is fixed so its page URLs are known. */
const prefs = (uuid: string) => ({
  'extensions.webextensions.uuids': JSON.stringify({ [ADDON_ID]: uuid }),
  'browser.shell.checkDefaultBrowser': false,
  'browser.startup.homepage_override.mstone': 'ignore',
  'browser.startup.page': 0,
  'datareporting.policy.dataSubmissionEnabled': false,
  'toolkit.telemetry.reportingpolicy.firstRun': false,
  'app.update.enabled': false,
  'extensions.update.enabled': false,
  'network.captive-portal-service.enabled': false,
  'network.connectivity-service.enabled': false,
  'browser.safebrowsing.update.enabled': false,
  'services.settings.server': 'http://127.0.0.1:9/',
});

export interface FirefoxTab {
  /** Evaluates `expression` in the page (awaiting a promise) and returns its JSON value. */
  evaluate<T>(expression: string): Promise<T>;
}

export interface FirefoxWithAddon {
  /** The add-on id Firefox reports after installing it. */
  extensionId: string;
  url(page: string): string;
  open(page: string): Promise<FirefoxTab>;
  close(): Promise<void>;
}

export async function launchFirefoxWithAddon(addonDir: string): Promise<FirefoxWithAddon> {
  const uuid = randomUUID();
  const profile = mkdtempSync(join(tmpdir(), 'keywarden-firefox-'));
  writeFileSync(join(profile, 'user.js'), Object.entries(prefs(uuid)).map(([k, v]) => `user_pref(${JSON.stringify(k)}, ${JSON.stringify(v)});\n`).join(''));
  const proc = spawn(FIREFOX, ['--headless', '--no-remote', '--profile', profile, '--remote-debugging-port', '0', '--remote-allow-system-access'], { stdio: ['ignore', 'pipe', 'pipe'] });
  const cleanup = () => {
    proc.kill();
    rmSync(profile, { recursive: true, force: true });
  };
  try {
    const bidi = await connect(`${await listeningUrl(proc)}/session`);
    await bidi.send('session.new', { capabilities: {} });
    const installed = await bidi.send<{ extension: string }>('webExtension.install', { extensionData: { type: 'path', path: addonDir } });
    const url = (page: string) => `moz-extension://${uuid}/${page}`;
    return {
      extensionId: installed.extension,
      url,
      async open(page) {
        const chrome = await bidi.send<{ contexts: { context: string }[] }>('browsingContext.getTree', { 'moz:scope': 'chrome' });
        await bidi.send('script.evaluate', {
          target: { context: chrome.contexts[0]!.context },
          expression: `gBrowser.selectedTab = gBrowser.addTrustedTab(${JSON.stringify(url(page))}); true`,
          awaitPromise: false,
        });
        const context = await waitFor(async () => {
          const tree = await bidi.send<{ contexts: { context: string; url: string }[] }>('browsingContext.getTree', {});
          return tree.contexts.find((c) => c.url === url(page))?.context;
        }, `a tab showing ${page}`);
        return {
          async evaluate<T>(expression: string) {
            const r = await bidi.send<{ type: string; result?: { value?: string }; exceptionDetails?: { text: string } }>('script.evaluate', {
              target: { context },
              expression: `(async () => JSON.stringify(await (${expression})))()`,
              awaitPromise: true,
            });
            if (r.type !== 'success') throw new Error(`in ${page}: ${r.exceptionDetails?.text ?? 'evaluation failed'}`);
            return (r.result?.value === undefined ? undefined : JSON.parse(r.result.value)) as T;
          },
        };
      },
      async close() {
        await bidi.send('session.end', {}).catch(() => {});
        bidi.close();
        cleanup();
      },
    };
  } catch (err) {
    cleanup();
    throw err;
  }
}

/** Polls `fn` until it returns a value, within the deadline. */
async function waitFor<T>(fn: () => Promise<T | undefined>, what: string): Promise<T> {
  const end = Date.now() + DEADLINE_MS;
  for (;;) {
    const value = await fn();
    if (value !== undefined) return value;
    if (Date.now() > end) throw new Error(`Firefox: no ${what} within ${DEADLINE_MS / 1000} s`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** Firefox prints the BiDi address on stderr once its remote agent listens. */
function listeningUrl(proc: ReturnType<typeof spawn>): Promise<string> {
  return new Promise((resolve, reject) => {
    let output = '';
    const timer = setTimeout(() => reject(new Error(`Firefox did not start its remote agent within ${DEADLINE_MS / 1000} s:\n${output}`)), DEADLINE_MS);
    const onData = (chunk: Buffer) => {
      output += chunk;
      const match = /WebDriver BiDi listening on (ws:\/\/\S+)/.exec(output);
      if (match) {
        clearTimeout(timer);
        resolve(match[1]!);
      }
    };
    proc.stderr!.on('data', onData);
    proc.stdout!.on('data', onData);
    proc.once('exit', (code) => (clearTimeout(timer), reject(new Error(`Firefox exited (${code}) before listening:\n${output}`))));
  });
}

interface Bidi {
  send<T = unknown>(method: string, params: object): Promise<T>;
  close(): void;
}

async function connect(url: string): Promise<Bidi> {
  const ws = new WebSocket(url);
  await new Promise((resolve, reject) => (ws.once('open', resolve), ws.once('error', reject)));
  let nextId = 0;
  const pending = new Map<number, { resolve(v: unknown): void; reject(e: Error): void }>();
  ws.on('message', (data) => {
    const msg = JSON.parse(String(data)) as { id?: number; type: string; result?: unknown; error?: string; message?: string };
    const waiter = msg.id === undefined ? undefined : pending.get(msg.id);
    if (!waiter) return;
    pending.delete(msg.id!);
    if (msg.type === 'error') waiter.reject(new Error(`BiDi ${msg.error}: ${msg.message}`));
    else waiter.resolve(msg.result);
  });
  return {
    send: <T>(method: string, params: object) =>
      new Promise<T>((resolve, reject) => {
        const id = ++nextId;
        pending.set(id, { resolve: resolve as (v: unknown) => void, reject });
        ws.send(JSON.stringify({ id, method, params }));
      }),
    close: () => ws.close(),
  };
}
