import { GRACE_ENDING } from '../../shared/schemas/lifecycle';
import type { Notification } from '../../shared/schemas/notification';
import { formatDateTime } from './format';
import { formatCount, pick, plural } from './plural';

/**
 * Popup wording and desktop-notification rules for the key-lifecycle notices
 * (rotation, idle policy, key requests). NoticeList and the alerts poll call in
 * here for these kinds; everything else keeps its own wording.
 */
export type LifecycleKind = Extract<
  Notification['kind'],
  'key_rotated' | 'key_idle_warning' | 'key_idle_disabled' | 'key_request_created' | 'key_request_approved' | 'key_request_denied'
>;

export const LIFECYCLE_LABELS: Record<LifecycleKind, string> = {
  key_rotated: 'Rotated',
  key_idle_warning: 'Unused key',
  key_idle_disabled: 'Disabled (unused)',
  key_request_created: 'Key request',
  key_request_approved: 'Request approved',
  key_request_denied: 'Request denied',
};

const isLifecycle = (kind: string): kind is LifecycleKind => kind in LIFECYCLE_LABELS;


type NoticeLike = Pick<Notification, 'kind' | 'keys' | 'actor' | 'reason' | 'thresholdDays' | 'teamName' | 'message'>;

/** The popup's sentence for a lifecycle notice, or null for any other kind. */
export function lifecycleHeadline(n: NoticeLike, meId?: string): string | null {
  if (!isLifecycle(n.kind)) return null;
  const count = n.keys.length;
  const first = n.keys[0];
  const subject = count === 1 ? `Your key “${first?.name ?? ''}”` : `${formatCount(count)} of your keys`;
  const by = n.actor?.userId && n.actor.userId === meId ? 'you' : (n.actor?.email ?? 'an admin');
  const team = ` in ${n.teamName}`;
  switch (n.kind) {
    case 'key_rotated': {
      const until = first?.expiresAt ? formatDateTime(first.expiresAt) : null;
      if (n.reason === GRACE_ENDING) return `The previous “${first?.name ?? ''}” key is still in use and stops working${until ? ` at ${until}` : ' within the hour'}${team}: switch to the new key now.`;
      return `${subject} was rotated by ${by}${team}; the old key works${until ? ` until ${until}` : ' for its grace period'}.`;
    }
    case 'key_idle_warning':
      return `${subject} ${pick(count, 'has', 'have')} not been used for a long time and will be disabled in ${plural(n.thresholdDays ?? 0, 'day')}${team}. Use ${pick(count, 'it', 'them')} once to keep ${pick(count, 'it', 'them')}.`;
    case 'key_idle_disabled':
      return `${subject} ${pick(count, 'was', 'were')} disabled for not being used${team}. An admin can enable ${pick(count, 'it', 'them')} again.`;
    case 'key_request_created':
      return `${n.actor?.email ?? 'A member'} asks for a key “${first?.name ?? ''}”${team}${n.reason ? `: ${n.reason}` : ''}.`;
    case 'key_request_approved':
      return `Your request for “${first?.name ?? ''}” was approved by ${by}${team}. Generate the key within 7 days.`;
    case 'key_request_denied':
      return `Your request for “${first?.name ?? ''}” was denied by ${by}${team}${n.reason ? `: ${n.reason}` : ''}.`;
  }
}

/** Notices that ask the reader to act get a desktop notification, like revocations. */
export function needsAction(n: Pick<Notification, 'kind' | 'reason'> | { kind: string; reason?: string | null }): boolean {
  return (
    n.kind === 'key_request_created' ||
    n.kind === 'key_request_approved' ||
    n.kind === 'key_idle_warning' ||
    (n.kind === 'key_rotated' && n.reason === GRACE_ENDING)
  );
}

const DESKTOP_TITLES: Partial<Record<LifecycleKind, string>> = {
  key_request_created: 'A key request is waiting for you',
  key_request_approved: 'Your key request was approved',
  key_idle_warning: 'An unused API key will be disabled soon',
  key_rotated: 'Your previous API key stops working within the hour',
};

export function lifecycleDesktopTitle(kind: string): string | null {
  return isLifecycle(kind) ? (DESKTOP_TITLES[kind] ?? null) : null;
}
