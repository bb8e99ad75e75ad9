import type { Notification } from '../../shared/schemas/notification';
import { formatDateTime } from '../lib/format';

const KIND_LABELS: Record<Notification['kind'], string> = {
  key_revoked: 'Revoked',
  key_disabled: 'Disabled',
  key_expiring: 'Expiring soon',
  key_expired: 'Expired',
  policy_changed: 'Policy changed',
  key_used_after_revoke: 'Used after revoke',
};

/** The newest in-app notices; unread ones stand out and can be marked read one by one or all at once. */
export function NoticeList(props: { items: Notification[]; busy: boolean; onMarkRead: (ids: string[] | 'all') => void }) {
  const unread = props.items.filter((n) => !n.readAt);
  if (props.items.length === 0) return <p class="empty">No alerts. You will be told here when one of your keys is revoked or about to expire.</p>;
  return (
    <div>
      <ul class="notices" aria-label="Alerts">
        {props.items.map((n) => (
          <li key={n.id} class={`notice-item notice-${n.kind}${n.readAt ? '' : ' unread'}`}>
            <div class="notice-head">
              <span class={`kind kind-${n.kind}`}>{KIND_LABELS[n.kind]}</span>
              <time dateTime={new Date(n.createdAt).toISOString()}>{formatDateTime(n.createdAt)}</time>
            </div>
            <p class="notice-message">{n.message}</p>
            {n.keys.length > 0 ? (
              <p class="notice-keys">
                {n.keys.map((k) => (
                  <span key={k.id} class="chip">
                    {k.name} <span class="mono">{k.hint}</span>
                  </span>
                ))}
              </p>
            ) : null}
            {!n.readAt ? (
              <button type="button" class="btn btn-link btn-small" disabled={props.busy} onClick={() => props.onMarkRead([n.id])} aria-label={`Mark "${n.message}" as read`}>
                Mark read
              </button>
            ) : null}
          </li>
        ))}
      </ul>
      {unread.length > 0 ? (
        <button type="button" class="btn btn-small" disabled={props.busy} onClick={() => props.onMarkRead('all')}>
          Mark all read ({unread.length})
        </button>
      ) : null}
    </div>
  );
}
