import { plural } from '../../shared/plural';
import { BADGE_AMBER, BADGE_GREY, BADGE_RED, type Badge } from '../../shared/schemas/alerts';

const countText = (n: number) => (n > 99 ? '99+' : String(n));

/**
 * The badge of alerts.summary, the only place it is worked out (the extension paints it as
 * given): a red count of unread revocations and canary alarms, else an amber count of what asks
 * for attention (keys expiring soon, key requests to answer, unread lifecycle notices, team
 * invitations to answer), else nothing. The tooltip names every count that is not zero, the
 * amber ones too when the badge is red.
 */
export function badgeFor(counts: { revokedUnread: number; expiringSoon: number; pendingRequests?: number; needsAttention?: number; pendingInvitations?: number; canaryAlarms?: number }): Badge {
  // Key requests waiting for an admin, invitations waiting for their invitee and unread lifecycle notices (idle warnings, rotations, answers) count amber too.
  const amberParts = [
    counts.expiringSoon > 0 ? plural(counts.expiringSoon, 'key expiring soon', 'keys expiring soon') : '',
    counts.pendingRequests ? plural(counts.pendingRequests, 'key request to answer', 'key requests to answer') : '',
    counts.needsAttention ? plural(counts.needsAttention, 'key notice to read', 'key notices to read') : '',
    counts.pendingInvitations ? plural(counts.pendingInvitations, 'team invitation to answer', 'team invitations to answer') : '',
  ].filter(Boolean);
  const expiring = amberParts.join(', ');
  const amber = counts.expiringSoon + (counts.pendingRequests ?? 0) + (counts.needsAttention ?? 0) + (counts.pendingInvitations ?? 0);
  const canaries = counts.canaryAlarms ?? 0;
  if (counts.revokedUnread > 0 || canaries > 0) {
    const red = [
      canaries > 0 ? plural(canaries, 'canary alarm: a trap key was used', 'canary alarms: trap keys were used') : '',
      counts.revokedUnread > 0 ? plural(counts.revokedUnread, 'unread revocation', 'unread revocations') : '',
    ].filter(Boolean);
    return { text: countText(counts.revokedUnread + canaries), color: BADGE_RED, title: `Keywarden: ${[...red, expiring].filter(Boolean).join(', ')}` };
  }
  if (expiring) return { text: countText(amber), color: BADGE_AMBER, title: `Keywarden: ${expiring}` };
  return { text: '', color: BADGE_GREY, title: 'Keywarden: no alerts' };
}
