import { useState } from 'preact/hooks';
import type { Notification } from '../../shared/schemas/notification';
import { formatDateTime } from '../lib/format';
import { formatCount, pick, plural } from '../../shared/plural';
import { LIFECYCLE_LABELS, lifecycleHeadline } from '../lib/lifecycle-notices';
import { LEAK_LABELS } from '../lib/leak-notices';

const KIND_LABELS: Record<Notification['kind'], string> = {
  key_revoked: 'Revoked',
  key_disabled: 'Disabled',
  key_expiring: 'Expiring soon',
  key_expired: 'Expired',
  policy_changed: 'Policy changed',
  key_used_after_revoke: 'Used after revoke',
  ...LIFECYCLE_LABELS,
  ...LEAK_LABELS,
};

/** A notice names this many keys; beyond, it says how many more and points to the dashboard. */
const KEYS_NAMED = 3;

/**
 * One line that reads right for one key or 667: "Your key “ci” was revoked by ann@… in Acme.",
 * "667 of your keys were revoked by ann@… (Revoke All) in Acme.". Built from the notice's fields.
 */
export function noticeHeadline(n: Notification, meId?: string): string {
  const lifecycle = lifecycleHeadline(n, meId);
  if (lifecycle) return lifecycle;
  const count = n.keys.length;
  const subject = count === 1 ? `Your key “${n.keys[0]!.name}”` : `${formatCount(count)} of your keys`;
  const was = pick(count, 'was', 'were');
  const by = n.actor?.userId && n.actor.userId === meId ? ' by you' : n.actor?.email ? ` by ${n.actor.email}` : '';
  const team = ` in ${n.teamName}`;
  switch (n.kind) {
    case 'key_revoked': {
      const why = n.reason === 'revoke_all' ? ' (Revoke All)' : n.reason === 'policy' ? ' by the expiry policy' : n.reason === 'owner_removed' ? ' when you left the team' : n.reason === 'bulk' ? ' in a bulk revoke' : '';
      return `${subject} ${was} revoked${n.reason === 'policy' ? '' : by}${why}${team}.`;
    }
    case 'key_disabled':
      return `${subject} ${was} disabled${by}${n.reason === 'owner_removed' ? ' when you left the team' : ''}${team}.`;
    case 'key_expired':
      return `${subject} expired${team} and no longer ${pick(count, 'works', 'work')}.`;
    case 'key_expiring':
      return `${subject} ${pick(count, 'expires', 'expire')} within ${plural(n.thresholdDays ?? 0, 'day')}${team}.`;
    case 'key_used_after_revoke':
      // For admins, about keys of the team (not their own): the server words it.
      return n.message;
    case 'policy_changed': {
      const ended = n.revokedKeyIds.length;
      const endedText = ended === 0 ? '' : ended === count ? (count === 1 ? '; it ended at once' : '; all of them ended at once') : `; ${formatCount(ended)} of them ended at once`;
      return `The expiry policy of ${n.teamName} shortened the life of ${count === 1 ? `your key “${n.keys[0]!.name}”` : `${formatCount(count)} of your keys`}${endedText}.`;
    }
    default:
      // A kind this version does not know yet: the server's own sentence.
      return n.message;
  }
}

export interface NoticeActions {
  /** A revocation the member may answer with a new key (the team allows them to generate). */
  canReplace?(n: Notification): boolean;
  onReplace?(n: Notification): void;
  /** Opens the dashboard on the notice's team, where every key it lists can be seen. */
  onOpenDashboard?(n: Notification): void;
}

/**
 * The newest in-app notices; unread ones stand out and can be marked read one by one or all at
 * once. Built for volume: a notice about many keys names the first few and counts the rest, and
 * only `visible` notices show until the user asks for more.
 */
export function NoticeList(
  props: {
    items: Notification[];
    busy: boolean;
    onMarkRead: (ids: string[] | 'all') => void;
    visible?: number;
    hasOlder?: boolean;
    onLoadOlder?: () => void;
    meId?: string;
  } & NoticeActions,
) {
  const [expanded, setExpanded] = useState(false);
  const unread = props.items.filter((n) => !n.readAt);
  if (props.items.length === 0) return <p class="empty">No alerts. You will be told here when one of your keys is revoked or about to expire.</p>;
  const limit = expanded || props.visible === undefined ? props.items.length : props.visible;
  const shown = props.items.slice(0, limit);
  const hidden = props.items.length - shown.length;
  return (
    <div>
      <ul class="notices" aria-label="Alerts">
        {shown.map((n) => (
          <li key={n.id} class={`notice-item notice-${n.kind}${n.readAt ? '' : ' unread'}`}>
            <div class="notice-head">
              <span class={`kind kind-${n.kind}`}>{KIND_LABELS[n.kind]}</span>
              <time dateTime={new Date(n.createdAt).toISOString()}>{formatDateTime(n.createdAt)}</time>
            </div>
            <p class="notice-message">{noticeHeadline(n, props.meId)}</p>
            <NoticeKeys notice={n} onOpenDashboard={props.onOpenDashboard} />
            <div class="notice-actions">
              {n.kind === 'key_used_after_revoke' && n.keys.length <= KEYS_NAMED && props.onOpenDashboard ? (
                // Whoever still uses these keys needs telling: the dashboard shows each one's refused tries.
                <button type="button" class="btn btn-link btn-small" onClick={() => props.onOpenDashboard!(n)}>
                  See them in the dashboard
                </button>
              ) : null}
              {props.canReplace?.(n) && props.onReplace ? (
                <button type="button" class="btn btn-link btn-small" onClick={() => props.onReplace!(n)}>
                  Generate a replacement
                </button>
              ) : null}
              {!n.readAt ? (
                <button type="button" class="btn btn-link btn-small" disabled={props.busy} onClick={() => props.onMarkRead([n.id])} aria-label={`Mark read: ${noticeHeadline(n, props.meId)}`}>
                  Mark read
                </button>
              ) : null}
            </div>
          </li>
        ))}
      </ul>
      <div class="row">
        {unread.length > 0 ? (
          <button type="button" class="btn btn-small" disabled={props.busy} onClick={() => props.onMarkRead('all')}>
            Mark all read ({formatCount(unread.length)})
          </button>
        ) : null}
        {hidden > 0 ? (
          <button type="button" class="btn btn-link btn-small" onClick={() => setExpanded(true)}>
            Show {formatCount(hidden)} more {pick(hidden, 'alert', 'alerts')}
          </button>
        ) : props.hasOlder && props.onLoadOlder ? (
          <button type="button" class="btn btn-link btn-small" disabled={props.busy} onClick={props.onLoadOlder}>
            Older alerts
          </button>
        ) : null}
      </div>
    </div>
  );
}

/** The keys of a notice: chips for a few; for many, the first few by name and a count, never a chip per key. */
function NoticeKeys({ notice, onOpenDashboard }: { notice: Notification; onOpenDashboard?: (n: Notification) => void }) {
  const keys = notice.keys;
  if (keys.length === 0) return null;
  if (keys.length <= KEYS_NAMED) {
    return (
      <p class="notice-keys">
        {keys.map((k) => (
          <span key={k.id} class="chip truncate" title={`${k.name} ${k.hint}`}>
            {k.name} <span class="mono">{k.hint}</span>
          </span>
        ))}
      </p>
    );
  }
  const named = keys.slice(0, KEYS_NAMED).map((k) => `“${k.name}”`);
  return (
    <p class="notice-keys notice-keys-summary">
      {named.join(', ')} and {formatCount(keys.length - KEYS_NAMED)} more.{' '}
      {onOpenDashboard ? (
        <button type="button" class="btn btn-link btn-small" onClick={() => onOpenDashboard(notice)}>
          Open in dashboard
        </button>
      ) : null}
    </p>
  );
}
