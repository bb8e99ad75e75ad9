import type { ComponentChildren } from 'preact';
import { useState } from 'preact/hooks';
import type { KeyRequest, KeyRequestState } from '../../shared/schemas/lifecycle';
import { useApi } from '../hooks/session-context';
import { useAction, useAsync } from '../hooks/use-async';
import { formatDateTime } from '../lib/format';
import { requestAlertsRefresh } from '../lib/messages';
import { AsyncStatus } from './AsyncStatus';
import { ProblemBox } from './ProblemBox';

const STATE_LABELS: Record<KeyRequestState, string> = { pending: 'Waiting', approved: 'Approved', denied: 'Denied' };

/**
 * Admins: key requests of the team, newest first, pending ones with Approve / Deny. The popup
 * shows the pending ones (`state` 'pending'); the dashboard's Requests tab can show any state.
 */
export function KeyRequestList(props: {
  teamId: string;
  state?: KeyRequestState;
  /** null: render nothing at all while there is nothing to show (the popup keeps its height for what matters). */
  emptyText?: string | null;
  /** Shown above the list, only when there is one. */
  heading?: ComponentChildren;
  onAnswered?: () => void;
}) {
  const api = useApi();
  const list = useAsync(() => api.keyRequests.list.query({ teamId: props.teamId, state: props.state }), [api, props.teamId, props.state]);
  const action = useAction();
  const [denying, setDenying] = useState<string | null>(null);
  const [note, setNote] = useState('');

  const answered = (r: KeyRequest) => {
    list.setData((list.data ?? []).map((x) => (x.id === r.id ? r : x)).filter((x) => !props.state || x.state === props.state));
    setDenying(null);
    setNote('');
    void requestAlertsRefresh();
    props.onAnswered?.();
  };
  const approve = async (r: KeyRequest) => {
    const result = await action.act(() => api.keyRequests.approve.mutate({ teamId: props.teamId, requestId: r.id }));
    if (result) answered(result);
  };
  const deny = async (r: KeyRequest) => {
    const result = await action.act(() => api.keyRequests.deny.mutate({ teamId: props.teamId, requestId: r.id, note: note.trim() || undefined }));
    if (result) answered(result);
  };

  if (!list.data) return props.emptyText === null ? null : <AsyncStatus state={list} loading="Loading key requests…" />;
  if (list.data.length === 0) return props.emptyText === null ? null : <p class="empty">{props.emptyText ?? 'No key requests.'}</p>;
  return (
    <div>
      {props.heading}
      {action.problem ? <ProblemBox problem={action.problem} /> : null}
      <ul class="key-requests" aria-label="Key requests">
        {list.data.map((r) => (
          <li key={r.id} class={`key-request state-${r.state}`}>
            <div class="key-request-head">
              <strong class="truncate">{r.name}</strong> <span class={`tag tag-request-${r.state}`}>{STATE_LABELS[r.state]}</span>
            </div>
            <p class="key-request-who">
              {r.requester.email} · <time dateTime={new Date(r.createdAt).toISOString()}>{formatDateTime(r.createdAt)}</time>
              {r.expiresInDays ? ` · ${r.expiresInDays} days` : ''}
            </p>
            <p class="key-request-reason">{r.reason}</p>
            {r.state !== 'pending' ? (
              <p class="hint">
                {STATE_LABELS[r.state]} by {r.decidedBy?.email ?? 'an admin'}
                {r.note ? `: ${r.note}` : ''}
                {r.state === 'approved' ? (r.keyId ? ' · key generated' : ' · not generated yet') : ''}
              </p>
            ) : denying === r.id ? (
              <div class="row">
                <label class="field">
                  <span class="sr-only">Note to {r.requester.email}</span>
                  <input value={note} maxLength={500} placeholder="Why not (optional)" onInput={(e) => setNote(e.currentTarget.value)} />
                </label>
                <button type="button" class="btn btn-small btn-danger-outline" disabled={action.busy} onClick={() => void deny(r)}>
                  Deny request
                </button>
                <button type="button" class="btn btn-link btn-small" onClick={() => setDenying(null)}>
                  Cancel
                </button>
              </div>
            ) : (
              <div class="row">
                <button type="button" class="btn btn-small btn-primary" disabled={action.busy} aria-label={`Approve ${r.name} for ${r.requester.email}`} onClick={() => void approve(r)}>
                  Approve
                </button>
                <button type="button" class="btn btn-small" disabled={action.busy} aria-label={`Deny ${r.name} for ${r.requester.email}`} onClick={() => setDenying(r.id)}>
                  Deny
                </button>
              </div>
            )}
          </li>
        ))}
      </ul>
    </div>
  );
}
