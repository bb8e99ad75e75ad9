import { formatCount, pick, plural } from '../../../shared/plural';
import type { RevokedReason } from '../../../shared/schemas/key';
import { GRACE_ENDING } from '../../../shared/schemas/lifecycle';
import type { NotificationKind } from '../../../shared/schemas/notification';
import { whatHappened } from './key-notice';
import type { KeyNoticeParams } from './key-notice-params';
import { isLifecycleKind, lifecycleHeadline } from './lifecycle-notice';

/**
 * How a notice reads in the extension: its one-line headline (stored as the
 * notice's `message` when it is written), the tag that names its kind, and the
 * title of the desktop notification it raises, if any. The extension shows
 * these as given; it words no notice itself.
 */
export const NOTICE_LABELS: Record<NotificationKind, string> = {
  key_revoked: 'Revoked',
  key_disabled: 'Disabled',
  key_expiring: 'Expiring soon',
  key_expired: 'Expired',
  policy_changed: 'Policy changed',
  key_used_after_revoke: 'Used after revoke',
  key_leaked: 'Leaked',
  canary_triggered: 'Canary used',
  key_rotated: 'Rotated',
  key_idle_warning: 'Unused key',
  key_idle_disabled: 'Disabled (unused)',
  key_request_created: 'Key request',
  key_request_approved: 'Request approved',
  key_request_denied: 'Request denied',
  key_credits_low: 'Credits low',
  key_credits_exhausted: 'Out of credits',
  key_rate_limited: 'Rate limited',
  token_leaked: 'Token leaked',
};

/** How a revocation came about, where the line says so; a key revoked by hand needs no words. */
const REVOKED_HOW: Partial<Record<RevokedReason, string>> = {
  revoke_all: ' (Revoke All)',
  policy: ' by the expiry policy',
  owner_removed: ' when you left the team',
  bulk: ' in a bulk revoke',
};

/** "Your key “ci” was revoked by ann@… in Acme.", "667 of your keys were revoked by ann@… (Revoke All) in Acme." */
export function keyNoticeHeadline(p: KeyNoticeParams): string {
  if (isLifecycleKind(p.kind)) return lifecycleHeadline({ ...p, kind: p.kind });
  const count = p.keys.length;
  const subject = count === 1 ? `Your key “${p.keys[0]?.name ?? ''}”` : `${formatCount(count)} of your keys`;
  const was = pick(count, 'was', 'were');
  const by = p.actorIsOwner ? ' by you' : p.actorEmail ? ` by ${p.actorEmail}` : '';
  const team = ` in ${p.teamName}`;
  switch (p.kind) {
    case 'key_revoked':
      return `${subject} ${was} revoked${p.reason === 'policy' ? '' : by}${REVOKED_HOW[p.reason as RevokedReason] ?? ''}${team}.`;
    case 'key_disabled':
      return `${subject} ${was} disabled${by}${p.reason === 'owner_removed' ? ' when you left the team' : ''}${team}.`;
    case 'key_expired':
      return `${subject} expired${team} and no longer ${pick(count, 'works', 'work')}.`;
    case 'key_expiring':
      return `${subject} ${pick(count, 'expires', 'expire')} within ${plural(p.thresholdDays ?? 0, 'day')}${team}.`;
    case 'policy_changed': {
      const ended = p.keys.filter((k) => k.revoked).length;
      const endedText = ended === 0 ? '' : ended === count ? (count === 1 ? '; it ended at once' : '; all of them ended at once') : `; ${formatCount(ended)} of them ended at once`;
      return `The expiry policy of ${p.teamName} shortened the life of ${count === 1 ? `your key “${p.keys[0]?.name ?? ''}”` : `${formatCount(count)} of your keys`}${endedText}.`;
    }
    default:
      // Leak alarms and "used after revoke" are worded by their own writers (leak-notice.ts, usage-notices.ts).
      return whatHappened(p);
  }
}

const DESKTOP_TITLES: Partial<Record<NotificationKind, string>> = {
  key_leaked: 'An API key of your team leaked',
  token_leaked: 'An API token of your team leaked',
  canary_triggered: 'A canary key was used',
  key_request_created: 'A key request is waiting for you',
  key_request_approved: 'Your key request was approved',
  key_idle_warning: 'An unused API key will be disabled soon',
};

/**
 * The title of the desktop notification a notice raises, or null for none: revocations, leak
 * alarms and the notices that ask the reader to act (a request to answer, an approval to use, an
 * idle warning, a previous key still in use at the end of its grace).
 */
export function desktopTitle(n: { kind: NotificationKind; reason: string | null; keyCount: number }): string | null {
  if (n.kind === 'key_revoked' || n.kind === 'key_expired') return n.keyCount === 1 ? 'Your API key was revoked' : `${n.keyCount ? formatCount(n.keyCount) : 'Some'} of your API keys were revoked`;
  if (n.kind === 'key_rotated') return n.reason === GRACE_ENDING ? 'Your previous API key stops working within the hour' : null;
  return DESKTOP_TITLES[n.kind] ?? null;
}
