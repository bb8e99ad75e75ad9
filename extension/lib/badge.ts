import { BADGE_GREY, type Badge } from '../../shared/schemas/alerts';

/**
 * The toolbar badge. Its count, colour and tooltip come from the server (alerts.summary's
 * `badge`, the one place they are worked out); the extension only paints them, and says itself
 * when there is no session to ask with. A tiny adapter over chrome.action keeps it testable.
 */

export type BadgeState = Badge;

export type ActionAdapter = {
  setBadgeText(details: { text: string }): Promise<void>;
  setBadgeBackgroundColor(details: { color: string }): Promise<void>;
  setTitle(details: { title: string }): Promise<void>;
};

export function signedOutBadge(reason: 'expired' | 'signed_out' = 'signed_out'): BadgeState {
  return { text: '', color: BADGE_GREY, title: reason === 'expired' ? 'Keywarden: session expired, sign in again' : 'Keywarden: signed out' };
}

/**
 * The server cannot be reached: no count (the last one may be stale), the word "off" on grey,
 * and the reason in the tooltip. The next successful poll paints the server's badge again.
 */
export function offlineBadge(message: string): BadgeState {
  return { text: 'off', color: BADGE_GREY, title: `Keywarden: offline. ${message}` };
}

export async function applyBadge(action: ActionAdapter, state: BadgeState): Promise<void> {
  await Promise.all([action.setBadgeText({ text: state.text }), action.setBadgeBackgroundColor({ color: state.color }), action.setTitle({ title: state.title })]);
}
