import { mkdirSync } from 'node:fs';
import { resolve } from 'node:path';
import type { Locator, Page } from 'playwright-core';
import type { ExtensionBrowser } from './browser';
import { latestCode, type SmtpSink } from './smtp-sink';

/** Steps the extension's end-to-end tests share: signing in through the options page, the badge, screenshots. */

export const SCREENSHOTS = resolve('docs/screenshots');

/**
 * For `expect.poll` on what Chromium shows: a loaded 2-core CI machine can take many seconds to
 * repaint, so the deadline is generous (a passing poll returns as soon as it holds).
 */
export const POLL = { timeout: 60_000, interval: 100 } as const;

export interface ScreenshotOptions {
  /** Also writes <name>-dark.png with the page in dark mode (prefers-color-scheme: dark), then puts it back in light mode. */
  dark?: boolean;
  /** Crops the page a little below this element (a short table need not come with a window of empty page). */
  until?: Locator;
  /** Shoots at this window size, then restores the page's own (the confirm window opens at 440 × 420, but Playwright gives every page of the context the same viewport). */
  viewport?: { width: number; height: number };
}

/**
 * Writes docs/screenshots/<name>.png, only when KEYWARDEN_SCREENSHOTS=1 (`npm run screenshots`):
 * an ordinary test run never rewrites committed files, and spends no time here.
 */
export async function screenshot(page: Page, name: string, opts: ScreenshotOptions = {}): Promise<void> {
  if (process.env.KEYWARDEN_SCREENSHOTS !== '1') return;
  mkdirSync(SCREENSHOTS, { recursive: true });
  const shoot = async (file: string) => {
    // The element's bottom edge in page coordinates (boundingBox is relative to the viewport).
    const bottom = opts.until ? await opts.until.evaluate((el) => el.getBoundingClientRect().bottom + window.scrollY) : null;
    const width = await page.evaluate(() => document.documentElement.clientWidth);
    const clip = bottom === null ? undefined : { x: 0, y: 0, width, height: Math.ceil(bottom + 24) };
    // Finished transitions and no caret: the picture of a state, not of a moment in a fade.
    await page.screenshot({ path: `${SCREENSHOTS}/${file}.png`, fullPage: true, clip, animations: 'disabled', caret: 'hide' });
  };
  const before = page.viewportSize();
  if (opts.viewport) await page.setViewportSize(opts.viewport);
  try {
    await shoot(name);
    if (opts.dark) {
      await page.emulateMedia({ colorScheme: 'dark' });
      try {
        await shoot(`${name}-dark`);
      } finally {
        await page.emulateMedia({ colorScheme: 'light' });
      }
    }
  } finally {
    if (opts.viewport && before) await page.setViewportSize(before);
  }
}

/** Sets the server URL and signs in with the code from the emailed message, as a user would. */
export async function signInThroughOptions(page: Page, ext: ExtensionBrowser, opts: { serverUrl: string; email: string; sink: SmtpSink }): Promise<void> {
  await page.goto(ext.url('options.html'));
  const url = page.getByLabel('Keywarden server URL');
  if ((await url.inputValue()) !== opts.serverUrl) {
    await url.fill(opts.serverUrl);
    await page.getByRole('button', { name: 'Save' }).click();
    await page.getByText('Server is up.').waitFor();
  }
  // Count code emails only: a notice email (a revocation, say) may arrive meanwhile.
  const codeMails = () => opts.sink.to(opts.email).filter((m) => /sign-in code/i.test(m.subject ?? '')).length;
  const before = codeMails();
  await page.getByLabel('Work email').fill(opts.email);
  await page.getByRole('button', { name: 'Email me a sign-in code' }).click();
  await opts.sink.waitFor(() => codeMails() > before);
  const code = latestCode(opts.sink, opts.email);
  if (!code) throw new Error(`no sign-in code in the email to ${opts.email}`);
  await page.getByLabel(/Sign-in code/).fill(code);
  await page.getByRole('button', { name: 'Sign in', exact: true }).click();
  await page.getByText(`Signed in as ${opts.email}`).waitFor();
}

export async function signOutThroughOptions(page: Page, ext: ExtensionBrowser): Promise<void> {
  await page.goto(ext.url('options.html'));
  await page.getByRole('button', { name: 'Sign out' }).click();
  await page.getByRole('heading', { name: 'Sign in' }).waitFor();
}

/** The toolbar badge as Chrome holds it, read in the service worker. */
export async function readBadge(ext: ExtensionBrowser): Promise<{ text: string; color: number[]; title: string }> {
  return ext.inWorker(async () => {
    const action = (globalThis as any).chrome.action;
    return { text: await action.getBadgeText({}), color: await action.getBadgeBackgroundColor({}), title: await action.getTitle({}) };
  });
}

/** Asks the worker to poll now (what the alarm does every minute), so tests need not wait for it. */
export async function pollNow(ext: ExtensionBrowser): Promise<unknown> {
  return ext.inWorker(() => (globalThis as any).keywarden.poll());
}

/** The session the options page stores after signing `user` in to one team. */
export function sessionOf(serverUrl: string, user: { userId: string; email: string; token: string }, team: { teamId: string; name: string; role: string }) {
  return {
    token: user.token,
    serverUrl,
    user: { id: user.userId, email: user.email, name: user.email },
    teams: [{ teamId: team.teamId, name: team.name, role: team.role }],
  };
}

export const settingsFor = (serverUrl: string) => ({ serverUrl, teamId: null, desktopNotifications: true, pollMinutes: 1 });

/**
 * Puts a session straight into extension storage (tests that are not about sign-in skip the email);
 * `null` signs the extension out, so a test can start from the signed-out state whatever ran before.
 */
export async function setSession(ext: ExtensionBrowser, session: unknown, settings?: unknown): Promise<void> {
  await ext.worker.evaluate(
    ([s, st]) => {
      const local = (globalThis as any).chrome.storage.local;
      return Promise.all([local.set({ session: s, signOutReason: null }), st ? local.set({ settings: st }) : null]);
    },
    [session, settings] as const,
  );
}
