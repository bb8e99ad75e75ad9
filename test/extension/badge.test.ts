import { beforeEach, describe, expect, it } from 'vitest';
import { fakeBrowser } from 'wxt/testing/fake-browser';
import { browser } from 'wxt/browser';
import { applyBadge, BADGE_AMBER, BADGE_RED, badgeFor, signedOutBadge } from '../../extension/lib/badge';

beforeEach(() => fakeBrowser.reset());

describe('badgeFor', () => {
  it('shows unread revocations as a red count, ahead of expiring keys', () => {
    expect(badgeFor({ revokedUnread: 2, expiringSoon: 3 })).toEqual({ text: '2', color: BADGE_RED, title: 'Keywarden: 2 unread revocations, 3 keys expiring soon' });
  });

  it('shows keys expiring soon as an amber count when nothing is revoked', () => {
    expect(badgeFor({ revokedUnread: 0, expiringSoon: 1 })).toMatchObject({ text: '1', color: BADGE_AMBER, title: 'Keywarden: 1 key expiring soon' });
  });

  it('is empty when all is well, and caps large counts at 99+', () => {
    expect(badgeFor({ revokedUnread: 0, expiringSoon: 0 }).text).toBe('');
    expect(badgeFor({ revokedUnread: 150, expiringSoon: 0 }).text).toBe('99+');
  });
});

describe('applyBadge', () => {
  it('paints text, colour and tooltip on the toolbar action', async () => {
    await applyBadge(browser.action, badgeFor({ revokedUnread: 4, expiringSoon: 0 }));
    expect(await browser.action.getBadgeText({})).toBe('4');
    expect(await browser.action.getTitle({})).toBe('Keywarden: 4 unread revocations');
    await applyBadge(browser.action, signedOutBadge('expired'));
    expect(await browser.action.getBadgeText({})).toBe('');
    expect(await browser.action.getTitle({})).toMatch(/session expired/);
  });
});
