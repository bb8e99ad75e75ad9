import { useState } from 'preact/hooks';
import type { Notification } from '../../shared/schemas/notification';
import { formatDateTime } from '../lib/format';
import { formatCount, pick } from '../lib/plural';

/** A notice names this many keys; beyond, it says how many more and points to the dashboard. */
const KEYS_NAMED = 3;

export interface NoticeActions {
  /** A revocation the member may answer with a new key (where the server says they may generate: `canGenerate`). */
  canReplace?(n: Notification): boolean;
  onReplace?(n: Notification): void;
  /** Opens the dashboard on the notice's team, where every key it lists can be seen. */
  onOpenDashboard?(n: Notification): void;
}

/**
 * The newest in-app notices, in the server's words (`label`, `message`); unread ones stand out and
 * can be marked read one by one or all at once. Built for volume: a notice about many keys names
 * the first few and counts the rest, and only `visible` notices show until the user asks for more.
 */
export function NoticeList(
  props: {
    items: Notification[];
    busy: boolean;
    onMarkRead: (ids: string[] | 'all') => void;
    visible?: number;
    hasOlder?: boolean;
    onLoadOlder?: () => void;
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
              <span class={`kind kind-${n.kind}`}>{n.label}</span>
              <time dateTime={new Date(n.createdAt).toISOString()}>{formatDateTime(n.createdAt)}</time>
            </div>
            <p class="notice-message">{n.message}</p>
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
                <button type="button" class="btn btn-link btn-small" disabled={props.busy} onClick={() => props.onMarkRead([n.id])} aria-label={`Mark read: ${n.message}`}>
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
