import { BADGE_AMBER, BADGE_RED } from '../../shared/schemas/alerts';

/**
 * The toolbar badge: red count = unread revocations, amber count = keys
 * expiring soon, nothing when all is well. Pure state + a tiny adapter over
 * chrome.action so it is testable with fakeBrowser.
 */

export interface BadgeState {
  text: string;
  color: string;
  title: string;
}

export interface BadgeCounts {
  revokedUnread: number;
  expiringSoon: number;
}

export { BADGE_AMBER, BADGE_RED };
export const BADGE_GREY = '#5f6368';

export type ActionAdapter = {
  setBadgeText(details: { text: string }): Promise<void>;
  setBadgeBackgroundColor(details: { color: string }): Promise<void>;
  setTitle(details: { title: string }): Promise<void>;
};

const countText = (n: number) => (n > 99 ? '99+' : String(n));
const plural = (n: number, one: string, many: string) => `${n} ${n === 1 ? one : many}`;

export function badgeFor(counts: BadgeCounts): BadgeState {
  if (counts.revokedUnread > 0) {
    const extra = counts.expiringSoon > 0 ? `, ${plural(counts.expiringSoon, 'key expiring soon', 'keys expiring soon')}` : '';
    return { text: countText(counts.revokedUnread), color: BADGE_RED, title: `Keywarden: ${plural(counts.revokedUnread, 'unread revocation', 'unread revocations')}${extra}` };
  }
  if (counts.expiringSoon > 0) {
    return { text: countText(counts.expiringSoon), color: BADGE_AMBER, title: `Keywarden: ${plural(counts.expiringSoon, 'key expiring soon', 'keys expiring soon')}` };
  }
  return { text: '', color: BADGE_GREY, title: 'Keywarden: no alerts' };
}

export function signedOutBadge(reason: 'expired' | 'signed_out' = 'signed_out'): BadgeState {
  return { text: '', color: BADGE_GREY, title: reason === 'expired' ? 'Keywarden: session expired, sign in again' : 'Keywarden: signed out' };
}

export async function applyBadge(action: ActionAdapter, state: BadgeState): Promise<void> {
  await Promise.all([action.setBadgeText({ text: state.text }), action.setBadgeBackgroundColor({ color: state.color }), action.setTitle({ title: state.title })]);
}
