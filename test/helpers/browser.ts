import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type BrowserContext, type Worker } from 'playwright-core';
import { inject } from 'vitest';

/** The test build of the extension (see e2e-extension.ts), not the bundle `npm run build:ext` ships. */
export const extensionDir = () => inject('e2eExtensionDir');
export const CHROMIUM = process.env.CHROMIUM_PATH || '/usr/bin/chromium';

export interface ExtensionBrowser {
  context: BrowserContext;
  extensionId: string;
  worker: Worker;
  url(page: string): string;
  /** Evaluates in the extension's service worker (where `chrome.*` lives). */
  inWorker<T>(fn: () => T | Promise<T>): Promise<T>;
  close(): Promise<void>;
}

/** Debian's Chromium with the built extension loaded, headless, offline-friendly flags. */
export async function launchWithExtension(): Promise<ExtensionBrowser> {
  const extension = extensionDir();
  const userDataDir = mkdtempSync(join(tmpdir(), 'keywarden-chromium-'));
  const context = await chromium.launchPersistentContext(userDataDir, {
    executablePath: CHROMIUM,
    headless: true,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
      `--disable-extensions-except=${extension}`,
      `--load-extension=${extension}`,
    ],
    viewport: { width: 1280, height: 860 },
  });
  // Playwright's 30 s default is tight for Chromium on a loaded 2-core CI machine; tests wait on conditions, so a long deadline costs nothing when things are fast.
  context.setDefaultTimeout(60_000);
  const worker = context.serviceWorkers()[0] ?? (await context.waitForEvent('serviceworker', { timeout: 60_000 }));
  const extensionId = new URL(worker.url()).host;
  return {
    context,
    extensionId,
    worker,
    url: (page) => `chrome-extension://${extensionId}/${page}`,
    inWorker: (fn) => worker.evaluate(fn),
    async close() {
      await context.close();
      rmSync(userDataDir, { recursive: true, force: true });
    },
  };
}
