import { beforeEach, describe, expect, it } from 'vitest';
import { fakeBrowser } from 'wxt/testing/fake-browser';
import { browser } from 'wxt/browser';
import { BADGE_RED } from '../../shared/schemas/alerts';
import { applyBadge, signedOutBadge } from '../../extension/lib/badge';

beforeEach(() => fakeBrowser.reset());

describe('applyBadge', () => {
  it('paints text, colour and tooltip on the toolbar action', async () => {
    await applyBadge(browser.action, { text: '4', color: BADGE_RED, title: 'Keywarden: 4 unread revocations' });
    expect(await browser.action.getBadgeText({})).toBe('4');
    expect(await browser.action.getTitle({})).toBe('Keywarden: 4 unread revocations');
    await applyBadge(browser.action, signedOutBadge('expired'));
    expect(await browser.action.getBadgeText({})).toBe('');
    expect(await browser.action.getTitle({})).toMatch(/session expired/);
  });
});
