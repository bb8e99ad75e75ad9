import { describe, expect, it } from 'vitest';
import { BADGE_AMBER, BADGE_RED } from '../../shared/schemas/alerts';
import { badgeFor } from '../../server/services/alert-badge';

/** Key requests waiting for an admin and unread lifecycle notices paint the badge amber (red still wins). */
describe('badgeFor with key-lifecycle counts', () => {
  it('counts waiting key requests and unread lifecycle notices in amber', () => {
    expect(badgeFor({ revokedUnread: 0, expiringSoon: 1, pendingRequests: 2, needsAttention: 1 })).toEqual({
      text: '4',
      color: BADGE_AMBER,
      title: 'Keywarden: 1 key expiring soon, 2 key requests to answer, 1 key notice to read',
    });
    expect(badgeFor({ revokedUnread: 0, expiringSoon: 0, pendingRequests: 1, needsAttention: 0 })).toMatchObject({ text: '1', color: BADGE_AMBER, title: 'Keywarden: 1 key request to answer' });
  });

  it('stays red while a revocation is unread', () => {
    expect(badgeFor({ revokedUnread: 1, expiringSoon: 0, pendingRequests: 3, needsAttention: 0 })).toMatchObject({ text: '1', color: BADGE_RED });
  });
});
