import type { MyInvitation } from '../../../shared/schemas/invitation';
import { ProblemBox } from '../../components/ProblemBox';
import { useApi } from '../../hooks/session-context';
import { useAction, useAsync } from '../../hooks/use-async';
import { refreshTeams } from '../../hooks/use-session';
import { isConnectionProblem } from '../../lib/errors';
import { formatDate, ROLE_LABELS } from '../../lib/format';
import { updateSettings } from '../../lib/storage';

/**
 * Open invitations to join a team, for every signed-in user (in a team or not).
 * Accepting switches the popup to the team just joined; the section is absent
 * when there is nothing to answer.
 */
export function Invitations() {
  const api = useApi();
  const invitations = useAsync(() => api.invitations.list.query(), [api]);
  const { busy, problem, act } = useAction();

  const accept = async (inv: MyInvitation) => {
    const joined = await act(() => api.invitations.accept.mutate({ teamId: inv.teamId }));
    if (!joined) return;
    await refreshTeams(api);
    await updateSettings({ teamId: joined.teamId });
    await invitations.reload();
  };
  const decline = async (inv: MyInvitation) => {
    if (await act(() => api.invitations.decline.mutate({ teamId: inv.teamId }))) await invitations.reload();
  };

  const items = invitations.data ?? [];
  // An unreachable server is said once at the top of the popup, not under this heading.
  const failed = invitations.status === 'error' && !isConnectionProblem(invitations.problem) ? invitations.problem : null;
  if (items.length === 0 && !problem && !failed) return null;
  return (
    <section class="section" aria-labelledby="invitations-heading">
      <h2 id="invitations-heading">Invitations</h2>
      {failed ? <ProblemBox problem={failed} onRetry={() => void invitations.reload()} /> : null}
      <ul class="notices" aria-label="Invitations">
        {items.map((inv) => (
          <li key={inv.teamId} class="notice-item unread">
            <p class="notice-message">
              {inv.invitedBy ?? 'A team admin'} invited you to join <strong>{inv.teamName}</strong> as {ROLE_LABELS[inv.role].toLowerCase()}.
            </p>
            <p class="hint">Until you accept, the team sees none of your keys or sign-ins. Open until {formatDate(inv.expiresAt)}.</p>
            <div class="row">
              <button type="button" class="btn btn-primary btn-small" disabled={busy} onClick={() => void accept(inv)} aria-label={`Accept the invitation to ${inv.teamName}`}>
                Accept
              </button>
              <button type="button" class="btn btn-small" disabled={busy} onClick={() => void decline(inv)} aria-label={`Decline the invitation to ${inv.teamName}`}>
                Decline
              </button>
            </div>
          </li>
        ))}
      </ul>
      {problem ? <ProblemBox problem={problem} /> : null}
    </section>
  );
}
