import { formatCount, pick, plural } from '../../../shared/plural';
import type { NotificationKind } from '../../../shared/schemas/notification';
import { GRACE_ENDING } from '../../../shared/schemas/lifecycle';
import { formatWhen, type KeyNoticeParams } from './key-notice-params';

/**
 * Wording of the key-lifecycle notices (rotation, idle policy, key requests),
 * emails and in-app lines alike, kept apart from key-notice.ts and
 * in-app-notice.ts, which dispatch here for these kinds.
 * For a rotation the listed key is the previous one; for a request it is the
 * requested name (`hint` empty) and `reason` carries the requester's reason or
 * the admin's note.
 */
export const LIFECYCLE_KINDS = ['key_rotated', 'key_idle_warning', 'key_idle_disabled', 'key_request_created', 'key_request_approved', 'key_request_denied'] as const;
export type LifecycleKind = (typeof LIFECYCLE_KINDS)[number];

export const isLifecycleKind = (kind: NotificationKind): kind is LifecycleKind => (LIFECYCLE_KINDS as readonly string[]).includes(kind);

const days = (n: number | null) => `${n ?? '?'} ${pick(n ?? 0, 'day', 'days')}`;

export function lifecycleSubject(p: KeyNoticeParams & { kind: LifecycleKind }): string {
  const n = p.keys.length;
  const only = p.keys[0]?.name ?? '';
  switch (p.kind) {
    case 'key_rotated':
      return p.reason === GRACE_ENDING ? `Your previous Keywarden API key "${only}" stops working within the hour and is still in use` : `Your Keywarden API key "${only}" was rotated`;
    case 'key_idle_warning':
      return n === 1 ? `Your unused Keywarden API key "${only}" will be disabled in ${days(p.thresholdDays)}` : `${n} of your unused Keywarden API keys will be disabled in ${days(p.thresholdDays)}`;
    case 'key_idle_disabled':
      return n === 1 ? `Your unused Keywarden API key "${only}" was disabled` : `${n} of your unused Keywarden API keys were disabled`;
    case 'key_request_created':
      return `Key request: "${only}" from ${p.actorEmail ?? 'a member'}`;
    case 'key_request_approved':
      return `Your request for the Keywarden API key "${only}" was approved`;
    case 'key_request_denied':
      return `Your request for the Keywarden API key "${only}" was denied`;
  }
}

export function lifecycleWhat(p: KeyNoticeParams & { kind: LifecycleKind }): string {
  const n = p.keys.length;
  const who = p.actorIsOwner ? 'You' : (p.actorEmail ?? 'Keywarden');
  const team = `team "${p.teamName}"`;
  switch (p.kind) {
    case 'key_rotated':
      if (p.reason === GRACE_ENDING) return `Your previous API key in ${team} was still used in the last hour of its grace period, and stops working within the hour.`;
      return `${who} rotated your API key in ${team}: a new key with the same name replaces it.`;
    case 'key_idle_warning':
      return `${n === 1 ? 'Your API key' : `${n} of your API keys`} in ${team} ${pick(n, 'has', 'have')} not been used for a long time and will be disabled in ${days(p.thresholdDays)} under the team's idle-key policy.`;
    case 'key_idle_disabled':
      return `${n === 1 ? 'Your API key' : `${n} of your API keys`} in ${team} ${pick(n, 'was', 'were')} disabled because ${pick(n, 'it was', 'they were')} not used for longer than the team's idle-key policy allows.`;
    case 'key_request_created':
      return `${p.actorEmail ?? 'A member'} asks for an API key in ${team}.`;
    case 'key_request_approved':
      return `${who} approved your request for an API key in ${team}.`;
    case 'key_request_denied':
      return `${who} denied your request for an API key in ${team}.`;
  }
}

export function lifecycleNext(p: KeyNoticeParams & { kind: LifecycleKind }): string {
  switch (p.kind) {
    case 'key_rotated':
      return p.reason === GRACE_ENDING
        ? 'Switch whatever still sends the previous key over to the new one now: requests with the previous key are denied once the grace period ends.'
        : 'Copy the new key from whoever rotated it (it is shown once) or rotate again yourself, and switch your services over before the grace period ends: the previous key stops working then.';
    case 'key_idle_warning':
      return 'If you still need the key, use it once (one verified request cancels the warning); otherwise do nothing, or revoke it yourself.';
    case 'key_idle_disabled':
      return 'Requests made with it are denied. If you still need it, ask a team admin to enable it again; that restarts its idle clock.';
    case 'key_request_created':
      return 'Approve or deny the request in the Keywarden popup or in the dashboard\'s Requests tab.';
    case 'key_request_approved':
      return 'Generate the key in Keywarden within 7 days: the approval works once, and the key is shown only to you, when you generate it.';
    case 'key_request_denied':
      return 'Talk to your team admin if you still need a key.';
  }
}

/** What the "Why" line says, for requests (the requester's reason, the admin's note). */
export function lifecycleWhy(p: KeyNoticeParams & { kind: LifecycleKind }): string | null {
  if (p.kind === 'key_request_created' || p.kind === 'key_request_denied') return p.reason;
  return null;
}

export function lifecycleKeyLine(k: KeyNoticeParams['keys'][number], kind: LifecycleKind): string {
  if (kind.startsWith('key_request_')) return k.name;
  if (kind === 'key_rotated' && k.expiresAt) return `${k.name} (${k.hint}) — previous key works until ${formatWhen(k.expiresAt)}`;
  return `${k.name} (${k.hint})`;
}

/** The in-app line (popup, dashboard, desktop notification) of a lifecycle notice. */
export function lifecycleHeadline(p: KeyNoticeParams & { kind: LifecycleKind }): string {
  const count = p.keys.length;
  const first = p.keys[0]?.name ?? '';
  const subject = count === 1 ? `Your key “${first}”` : `${formatCount(count)} of your keys`;
  const by = p.actorIsOwner ? 'you' : (p.actorEmail ?? 'an admin');
  const team = ` in ${p.teamName}`;
  switch (p.kind) {
    case 'key_rotated': {
      const until = p.keys[0]?.expiresAt ? formatWhen(p.keys[0].expiresAt) : null;
      if (p.reason === GRACE_ENDING) return `The previous “${first}” key is still in use and stops working${until ? ` at ${until}` : ' within the hour'}${team}: switch to the new key now.`;
      return `${subject} was rotated by ${by}${team}; the old key works${until ? ` until ${until}` : ' for its grace period'}.`;
    }
    case 'key_idle_warning':
      return `${subject} ${pick(count, 'has', 'have')} not been used for a long time and will be disabled in ${plural(p.thresholdDays ?? 0, 'day')}${team}. Use ${pick(count, 'it', 'them')} once to keep ${pick(count, 'it', 'them')}.`;
    case 'key_idle_disabled':
      return `${subject} ${pick(count, 'was', 'were')} disabled for not being used${team}. An admin can enable ${pick(count, 'it', 'them')} again.`;
    case 'key_request_created':
      return `${p.actorEmail ?? 'A member'} asks for a key “${first}”${team}${p.reason ? `: ${p.reason}` : ''}.`;
    case 'key_request_approved':
      return `Your request for “${first}” was approved by ${by}${team}. Generate the key within 7 days.`;
    case 'key_request_denied':
      return `Your request for “${first}” was denied by ${by}${team}${p.reason ? `: ${p.reason}` : ''}.`;
  }
}
