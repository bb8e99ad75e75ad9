import { useState } from 'preact/hooks';
import type { TeamInvitation } from '../../../shared/schemas/invitation';
import { AsyncStatus } from '../../components/AsyncStatus';
import { ConfirmButton } from '../../components/ConfirmButton';
import { ProblemBox } from '../../components/ProblemBox';
import { useSignedIn } from '../../hooks/session-context';
import { useAction, type AsyncState } from '../../hooks/use-async';
import { formatDate, formatDateTime, roleLabel } from '../../lib/format';
import type { SessionTeam } from '../../lib/storage';

/**
 * The team's open invitations (people who have signed in to Keywarden join only once
 * they accept): when each was sent, when it lapses, and Resend / Withdraw.
 */
export function PendingInvitations(props: { team: SessionTeam; invitations: AsyncState<TeamInvitation[]> & { reload(): Promise<void> } }) {
  const { api } = useSignedIn();
  const { team, invitations } = props;
  const { busy, problem, act } = useAction();
  const [report, setReport] = useState<string | null>(null);

  const run = async (fn: () => Promise<unknown>, done: string) => {
    setReport(null);
    if ((await act(fn)) === undefined) return;
    setReport(done);
    await invitations.reload();
  };

  if (invitations.data?.length === 0 && !report) return null;
  return (
    <section aria-labelledby="invitations-heading" class="pending-invitations">
      <h3 id="invitations-heading">Pending invitations</h3>
      {report ? (
        <p class="report" role="status">
          {report}
        </p>
      ) : null}
      {problem ? <ProblemBox problem={problem} /> : null}
      <AsyncStatus state={invitations} loading="Loading invitations…" />
      {invitations.data?.length ? (
        <table class="compact invitations">
          <caption class="sr-only">Pending invitations to {team.name}</caption>
          <thead>
            <tr>
              <th scope="col">Invited</th>
              <th scope="col">Role</th>
              <th scope="col">Sent</th>
              <th scope="col">Expires</th>
              <th scope="col">
                <span class="sr-only">Actions</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {invitations.data.map((inv) => (
              <tr key={inv.userId}>
                <td>{inv.email}</td>
                <td>{roleLabel(inv.role)}</td>
                <td>{formatDateTime(inv.sentAt)}</td>
                <td>{formatDate(inv.expiresAt)}</td>
                <td>
                  <div class="row">
                  <button
                    type="button"
                    class="btn btn-small"
                    disabled={busy}
                    aria-label={`Resend the invitation to ${inv.email}`}
                    onClick={() => void run(() => api.invitations.resend.mutate({ teamId: team.teamId, userId: inv.userId }), `Invitation to ${team.name} sent again to ${inv.email}.`)}
                  >
                    Resend
                  </button>
                  <ConfirmButton
                    class="btn btn-small btn-danger-outline"
                    label="Withdraw"
                    confirmLabel="Withdraw"
                    busy={busy}
                    question={<>Withdraw the invitation of {inv.email} to {team.name}?</>}
                    onConfirm={() => void run(() => api.invitations.cancel.mutate({ teamId: team.teamId, userId: inv.userId }), `Invitation of ${inv.email} to ${team.name} withdrawn.`)}
                  />
                  </div>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : null}
    </section>
  );
}
