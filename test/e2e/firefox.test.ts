import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FIREFOX, hasFirefox, launchFirefoxWithAddon, type FirefoxTab, type FirefoxWithAddon } from '../helpers/firefox';

/**
 * The Firefox build (`npm run build:firefox`): Mozilla's linter accepts it, and
 * Debian's Firefox ESR loads it and runs its pages and background. The build
 * goes to a folder of the file's own, so the Chromium tests' bundle is never
 * touched.
 */
interface LintMessage {
  code: string;
  message: string;
  file: string | null;
}
let outDir: string;
let addonDir: string;
let lint: { errors: LintMessage[]; warnings: LintMessage[] };

beforeAll(() => {
  outDir = mkdtempSync(join(tmpdir(), 'keywarden-firefox-build-'));
  const run = spawnSync('node', ['scripts/firefox.mjs', 'lint', '--json'], { encoding: 'utf8', env: { ...process.env, EXTENSION_OUT_DIR: outDir } });
  const report = run.stdout.trim().split('\n').at(-1) ?? '';
  if (!report.startsWith('{')) throw new Error(`scripts/firefox.mjs lint printed no report (exit ${run.status}):\n${run.stdout}\n${run.stderr}`);
  const parsed = JSON.parse(report) as { dir: string; errors: LintMessage[]; warnings: LintMessage[] };
  addonDir = parsed.dir;
  lint = parsed;
});

afterAll(() => rmSync(outDir, { recursive: true, force: true }));

describe('the Firefox add-on', () => {
  it('is a Manifest V3 add-on with an id and event-page background that web-ext lint accepts with no errors', () => {
    const manifest = JSON.parse(readFileSync(join(addonDir, 'manifest.json'), 'utf8'));
    expect(manifest).toMatchObject({
      manifest_version: 3,
      browser_specific_settings: { gecko: { id: 'keywarden@keywarden.invalid', data_collection_permissions: { required: ['none'] } } },
      background: { scripts: ['background.js'] },
      permissions: expect.arrayContaining(['storage', 'contextMenus', 'alarms', 'notifications']),
    });
    expect(lint.errors.map((e) => `${e.code} ${e.file ?? ''}: ${e.message}`)).toEqual([]);
  });

  it(`loads in ${FIREFOX} (headless) and runs its background, options page and popup`, async () => {
    // npm test installs it (scripts/ensure-firefox.mjs); a missing browser is a failure, never a skip.
    expect(hasFirefox(), `no Firefox at ${FIREFOX}: apt-get install firefox-esr, or set FIREFOX_PATH`).toBe(true);
    let firefox: FirefoxWithAddon | undefined;
    try {
      firefox = await launchFirefoxWithAddon(addonDir);
      expect(firefox.extensionId).toBe('keywarden@keywarden.invalid');

      const options = await firefox.open('options.html');
      await until(options, `document.querySelector('h2#signin-title')?.textContent`, 'Sign in');
      const facts = await options.evaluate<Record<string, unknown>>(`(async () => {
        await browser.storage.session.set({ probe: 1 });
        const background = await browser.runtime.getBackgroundPage();
        return {
          title: document.querySelector('h1')?.textContent,
          manifestVersion: browser.runtime.getManifest().manifest_version,
          sessionStorage: (await browser.storage.session.get('probe')).probe,
          // The shipped build carries no end-to-end hook (only test builds do).
          backgroundHook: typeof background?.keywarden,
          menus: typeof browser.contextMenus?.create,
        };
      })()`);
      expect(facts).toEqual({ title: 'Keywarden', manifestVersion: 3, sessionStorage: 1, backgroundHook: 'undefined', menus: 'function' });
      // The background ran its first poll: with no session it paints the signed-out badge.
      await until(options, `browser.action.getTitle({})`, 'Keywarden: signed out');

      const popup = await firefox.open('popup.html');
      await until(popup, `document.querySelector('#signed-out-title')?.textContent`, 'You are signed out');
    } finally {
      await firefox?.close();
    }
  });
});

/** Polls an expression in a Firefox page until it equals `expected` (60 s, as for what Chromium shows). */
async function until(tab: FirefoxTab, expression: string, expected: unknown): Promise<void> {
  const end = Date.now() + 60_000;
  let last: unknown;
  while (Date.now() < end) {
    last = await tab.evaluate(expression);
    if (last === expected) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`expected ${expression} to be ${JSON.stringify(expected)}, last saw ${JSON.stringify(last)}`);
}
