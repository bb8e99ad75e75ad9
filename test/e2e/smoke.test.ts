import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchWithExtension, type ExtensionBrowser } from '../helpers/browser';

let browser: ExtensionBrowser;
beforeAll(async () => {
  browser = await launchWithExtension();
});
afterAll(() => browser?.close());

describe('the built extension in Chromium', () => {
  it('loads, opens its popup and has a readable badge in the service worker', async () => {
    const page = await browser.context.newPage();
    await page.goto(browser.url('popup.html'));
    await expect(page.locator('h1').first().textContent()).resolves.toContain('Keywarden');
    const badge = await browser.inWorker(() => (globalThis as any).chrome.action.getBadgeText({}));
    expect(badge).toBe('');
  });
});
