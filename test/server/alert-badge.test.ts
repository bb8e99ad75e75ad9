import { describe, expect, it } from 'vitest';
import { BADGE_AMBER, BADGE_GREY, BADGE_RED } from '../../shared/schemas/alerts';
import { badgeFor } from '../../server/services/alert-badge';

/** The one badge calculation: alerts.summary sends it, the extension paints it as given. */
describe('badgeFor', () => {
  it('shows unread revocations as a red count, ahead of expiring keys', () => {
    expect(badgeFor({ revokedUnread: 2, expiringSoon: 3 })).toEqual({ text: '2', color: BADGE_RED, title: 'Keywarden: 2 unread revocations, 3 keys expiring soon' });
  });

  it('shows keys expiring soon as an amber count when nothing is revoked', () => {
    expect(badgeFor({ revokedUnread: 0, expiringSoon: 1 })).toEqual({ text: '1', color: BADGE_AMBER, title: 'Keywarden: 1 key expiring soon' });
  });

  it('is empty and grey when all is well, and caps large counts at 99+', () => {
    expect(badgeFor({ revokedUnread: 0, expiringSoon: 0 })).toEqual({ text: '', color: BADGE_GREY, title: 'Keywarden: no alerts' });
    expect(badgeFor({ revokedUnread: 150, expiringSoon: 0 }).text).toBe('99+');
  });
});
