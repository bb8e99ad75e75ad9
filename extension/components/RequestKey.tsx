import { useState } from 'preact/hooks';
import { CreateKeyRequestInput, type KeyRequest } from '../../shared/schemas/lifecycle';
import { useApi } from '../hooks/session-context';
import { useAction, useAsync } from '../hooks/use-async';
import { formatDateTime } from '../lib/format';
import { ProblemBox } from './ProblemBox';
import { SecretOnce } from './SecretOnce';

/** An approval the member can still use: approved, no key made with it yet, not lapsed. */
export const usableGrant = (r: KeyRequest, now = Date.now()) => r.state === 'approved' && !r.keyId && !!r.grantExpiresAt && new Date(r.grantExpiresAt).getTime() > now;

/**
 * For a member while the team lets only admins generate keys: ask for one (name, why, optional
 * lifetime), see the answers, and generate the key of an approved request — once, shown once.
 */
export function RequestKey(props: { teamId: string; onCreated?: () => void }) {
  const api = useApi();
  const mine = useAsync(() => api.keyRequests.mine.query({ teamId: props.teamId }), [api, props.teamId]);
  const action = useAction();
  const [asking, setAsking] = useState(false);
  const [name, setName] = useState('');
  const [reason, setReason] = useState('');
  const [days, setDays] = useState('');
  const [invalid, setInvalid] = useState<string | null>(null);
  const [secret, setSecret] = useState<{ key: string; name: string } | null>(null);

  if (secret) return <SecretOnce secret={secret.key} name={secret.name} onDone={() => (setSecret(null), void mine.reload())} />;

  const submit = async (e: Event) => {
    e.preventDefault();
    const parsed = CreateKeyRequestInput.safeParse({ teamId: props.teamId, name, reason, expiresInDays: days ? Number(days) : undefined });
    if (!parsed.success) return setInvalid(parsed.error.issues[0]?.message ?? 'check the form');
    setInvalid(null);
    const created = await action.act(() => api.keyRequests.create.mutate(parsed.data));
    if (!created) return;
    setAsking(false);
    setName('');
    setReason('');
    setDays('');
    mine.setData([created, ...(mine.data ?? [])]);
  };

  const generate = async (r: KeyRequest) => {
    const created = await action.act(() => api.keys.create.mutate({ teamId: props.teamId, name: r.name, requestId: r.id }));
    if (!created) return;
    setSecret({ key: created.key, name: created.row.name });
    props.onCreated?.();
  };

  const requests = mine.data ?? [];
  return (
    <div class="request-key">
      {action.problem ? <ProblemBox problem={action.problem} /> : null}
      {requests.length > 0 ? (
        <ul class="key-requests" aria-label="My key requests">
          {requests.slice(0, 5).map((r) => (
            <li key={r.id} class={`key-request state-${r.state}`}>
              <strong class="truncate">{r.name}</strong>{' '}
              {r.state === 'pending' ? (
                <span class="tag">Waiting for an admin</span>
              ) : r.state === 'denied' ? (
                <span class="tag tag-revoked" title={r.note ?? undefined}>
                  Denied{r.note ? `: ${r.note}` : ''}
                </span>
              ) : usableGrant(r) ? (
                <button type="button" class="btn btn-small btn-primary" disabled={action.busy} onClick={() => void generate(r)}>
                  Generate it now
                </button>
              ) : (
                <span class="tag">{r.keyId ? 'Generated' : `Approval lapsed ${r.grantExpiresAt ? formatDateTime(r.grantExpiresAt) : ''}`}</span>
              )}
            </li>
          ))}
        </ul>
      ) : null}
      {asking ? (
        <form class="generate" onSubmit={(e) => void submit(e)} noValidate>
          <label class="field">
            <span>Key name</span>
            <input name="name" value={name} maxLength={100} onInput={(e) => setName(e.currentTarget.value)} />
          </label>
          <label class="field">
            <span>Why you need it</span>
            <input name="reason" value={reason} maxLength={500} onInput={(e) => setReason(e.currentTarget.value)} />
          </label>
          <label class="field">
            <span>Lifetime in days (optional)</span>
            <input name="expiresInDays" type="number" min={1} value={days} class="narrow" onInput={(e) => setDays(e.currentTarget.value)} />
          </label>
          {invalid ? (
            <p class="field-error" role="alert">
              {invalid}
            </p>
          ) : null}
          <div class="row">
            <button type="submit" class="btn btn-primary btn-small" disabled={action.busy}>
              Send request
            </button>
            <button type="button" class="btn btn-link btn-small" onClick={() => setAsking(false)}>
              Cancel
            </button>
          </div>
        </form>
      ) : (
        <button type="button" class="btn btn-small" onClick={() => setAsking(true)}>
          Request a key
        </button>
      )}
    </div>
  );
}
