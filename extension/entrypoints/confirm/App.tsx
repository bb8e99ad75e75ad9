import { useEffect, useMemo, useState } from 'preact/hooks';
import { Loading } from '../../components/Loading';
import { ProblemBox } from '../../components/ProblemBox';
import { UsageImpact } from '../../components/UsageImpact';
import { SessionProvider, useApi } from '../../hooks/session-context';
import { useAction } from '../../hooks/use-async';
import { sessionApi } from '../../lib/api';
import { formatDate } from '../../lib/format';
import { requestAlertsRefresh } from '../../lib/messages';
import { revokePending } from '../../lib/quick-revoke';
import { pendingRevokeItem, sessionItem, type PendingRevoke, type Session } from '../../lib/storage';
import { selectedImpact } from '../../lib/usage-queries';

type Outcome = 'revoked' | 'already_revoked' | 'not_found';
const OUTCOME_TITLE: Record<Outcome, string> = {
  revoked: 'Key revoked',
  already_revoked: 'Already revoked',
  not_found: 'Key not found',
};
const OUTCOME_TEXT: Record<Outcome, string> = {
  revoked: 'Revoked. Anything using this key is now refused.',
  already_revoked: 'This key was already revoked.',
  not_found: 'The key no longer exists in this team.',
};

/**
 * The small window "Revoke this API key" opens: it names the key, says how much
 * it was used in the last 24 h (keys.usageSummary: members see their own keys,
 * admins any of the team's), and asks before anything happens. The pending
 * request (never the key itself) is in session storage, addressed by the id in
 * the URL hash.
 */
export function App() {
  const [pending, setPending] = useState<PendingRevoke | null | undefined>(undefined);
  const [session, setSession] = useState<Session | null>(null);
  const api = useMemo(() => (session ? sessionApi(session) : null), [session]);

  useEffect(() => {
    void Promise.all([pendingRevokeItem.getValue(), sessionItem.getValue()]).then(([p, s]) => {
      setPending(p && p.id === location.hash.slice(1) ? p : null);
      setSession(s);
    });
  }, []);

  const close = () => {
    void pendingRevokeItem.setValue(null);
    window.close();
  };
  if (pending === undefined) {
    return (
      <main class="confirm">
        <Loading />
      </main>
    );
  }
  if (!pending || !session || !api) {
    return (
      <main class="confirm">
        <h1>Nothing to confirm</h1>
        <p>This request has expired or was already handled. Select the key and use the menu again.</p>
        <button type="button" class="btn" onClick={close}>
          Close
        </button>
      </main>
    );
  }

  return (
    <SessionProvider api={api} session={session}>
      <ConfirmRevoke pending={pending} onClose={close} />
    </SessionProvider>
  );
}

/** The question, then what happened. */
function ConfirmRevoke({ pending, onClose: close }: { pending: PendingRevoke; onClose(): void }) {
  const api = useApi();
  const [outcome, setOutcome] = useState<Outcome | null>(null);
  const { busy, problem, act } = useAction();
  const revoke = async () => {
    const result = await act(() => revokePending(api, pending));
    if (result) {
      setOutcome(result);
      await pendingRevokeItem.setValue(null);
      await requestAlertsRefresh();
    }
  };

  const { key } = pending;
  return (
    <main class="confirm">
      <h1>{outcome ? OUTCOME_TITLE[outcome] : 'Revoke this API key?'}</h1>
      <dl class="details">
        <dt>Name</dt>
        <dd>{key.name}</dd>
        <dt>Key</dt>
        <dd class="mono">{key.hint}</dd>
        <dt>Team</dt>
        <dd>{pending.teamName}</dd>
        <dt>Owner</dt>
        <dd>{key.ownerEmail}</dd>
        <dt>Expires</dt>
        <dd>{formatDate(key.expiresAt, 'never')}</dd>
      </dl>
      {outcome ? (
        <>
          <p class="report" role="status">
            {OUTCOME_TEXT[outcome]}
          </p>
          <button type="button" class="btn" onClick={close} autoFocus>
            Close
          </button>
        </>
      ) : (
        <>
          <p class="warning">
            <UsageImpact load={() => selectedImpact(api, pending.teamId, [key.id])} />
            Anything using this key stops working at once{pending.admin ? ' and its owner is notified' : ''}. This cannot be undone.
          </p>
          <div class="row">
            <button type="button" class="btn btn-danger" disabled={busy} onClick={() => void revoke()}>
              {busy ? 'Revoking…' : 'Revoke key'}
            </button>
            <button type="button" class="btn" onClick={close} autoFocus>
              Cancel
            </button>
          </div>
        </>
      )}
      {problem ? <ProblemBox problem={problem} /> : null}
    </main>
  );
}
