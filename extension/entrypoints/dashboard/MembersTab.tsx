import { useState } from 'preact/hooks';
import { AddMemberInput } from '../../../shared/schemas/team';
import { RoleSchema, type Role } from '../../../shared/schemas/common';
import { ConfirmButton } from '../../components/ConfirmButton';
import { AsyncStatus } from '../../components/AsyncStatus';
import { ProblemBox } from '../../components/ProblemBox';
import { useSignedIn } from '../../hooks/session-context';
import { useAction, useAsync } from '../../hooks/use-async';
import { formatDate, ROLE_LABELS } from '../../lib/format';
import type { SessionTeam } from '../../lib/storage';
import { PendingInvitations } from './PendingInvitations';

const ROLES = RoleSchema.options;

/** Members and roles. Removing a member disables (not revokes) their keys, as the notice says. */
export function MembersTab({ team }: { team: SessionTeam }) {
  const { api, session } = useSignedIn();
  const members = useAsync(() => api.members.list.query({ teamId: team.teamId }), [api, team.teamId]);
  const invitations = useAsync(() => api.invitations.listForTeam.query({ teamId: team.teamId }), [api, team.teamId]);
  const { busy, problem, act } = useAction();
  const [email, setEmail] = useState('');
  const [role, setRole] = useState<Role>('member');
  const [invalid, setInvalid] = useState<string | null>(null);
  /** Set when the address belongs to someone who has signed in: they join only once they accept. */
  const [invitedEmail, setInvitedEmail] = useState<string | null>(null);

  /** Role changes the server has not confirmed yet, so the dropdown does not snap back while saving. */
  const [pendingRoles, setPendingRoles] = useState<Record<string, Role>>({});

  const run = async (fn: () => Promise<unknown>): Promise<boolean> => {
    const ok = (await act(fn)) !== undefined;
    if (ok) await members.reload();
    return ok;
  };
  const add = async (e: Event) => {
    e.preventDefault();
    const parsed = AddMemberInput.safeParse({ teamId: team.teamId, email, role });
    if (!parsed.success) return setInvalid('Enter a valid email address.');
    setInvalid(null);
    setInvitedEmail(null);
    // Keep what was typed when adding fails, so the user can correct it.
    const result = await act(() => api.members.add.mutate(parsed.data));
    if (!result) return;
    setEmail('');
    if (result.invited) {
      setInvitedEmail(parsed.data.email);
      await invitations.reload();
    } else await members.reload();
  };

  const changeRole = async (userId: string, next: Role) => {
    setPendingRoles((p) => ({ ...p, [userId]: next }));
    await run(() => api.members.setRole.mutate({ teamId: team.teamId, userId, role: next }));
    // Success or failure, the reloaded list (or the old one) is the truth again.
    setPendingRoles(({ [userId]: _, ...rest }) => rest);
  };

  return (
    <section aria-labelledby="members-heading">
      <h2 id="members-heading">Members and roles</h2>
      <form class="card row" onSubmit={(e) => void add(e)} noValidate>
        <label class="field grow">
          <span>Email</span>
          <input type="email" name="memberEmail" value={email} onInput={(e) => setEmail(e.currentTarget.value)} required />
        </label>
        <label class="field">
          <span>Role</span>
          <select name="memberRole" value={role} onChange={(e) => setRole(e.currentTarget.value as Role)}>
            {ROLES.map((r) => (
              <option key={r} value={r}>
                {ROLE_LABELS[r]}
              </option>
            ))}
          </select>
        </label>
        <button type="submit" class="btn btn-primary" disabled={busy}>
          Add member
        </button>
      </form>
      {invalid ? <p class="field-error" role="alert">{invalid}</p> : null}
      {invitedEmail ? (
        <p class="report" role="status">
          Invitation to {team.name} sent to {invitedEmail}. They join the team when they accept it.
        </p>
      ) : null}
      {problem ? <ProblemBox problem={problem} /> : null}
      <AsyncStatus state={members} loading="Loading members…" />
      {members.data ? (
        <table class="compact members">
          <caption class="sr-only">Members of {team.name}</caption>
          <thead>
            <tr>
              <th scope="col">Member</th>
              <th scope="col">Role</th>
              <th scope="col">Joined</th>
              <th scope="col">
                <span class="sr-only">Actions</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {members.data.map((m) => (
              <tr key={m.userId}>
                <td>
                  {m.name ? <strong>{m.name} </strong> : null}
                  <span>{m.email}</span>
                  {m.userId === session.user.id ? <span class="chip">you</span> : null}
                </td>
                <td>
                  <select
                    aria-label={`Role of ${m.email}`}
                    value={pendingRoles[m.userId] ?? m.role}
                    disabled={busy || m.userId === session.user.id}
                    onChange={(e) => void changeRole(m.userId, e.currentTarget.value as Role)}
                  >
                    {ROLES.map((r) => (
                      <option key={r} value={r}>
                        {ROLE_LABELS[r]}
                      </option>
                    ))}
                  </select>
                </td>
                <td>{formatDate(m.joinedAt)}</td>
                <td>
                  {m.userId !== session.user.id ? (
                    <ConfirmButton
                      class="btn btn-small btn-danger-outline"
                      label="Remove"
                      confirmLabel="Remove"
                      busy={busy}
                      question={<>Remove {m.email}? Their keys are disabled.</>}
                      onConfirm={() => void run(() => api.members.remove.mutate({ teamId: team.teamId, userId: m.userId }))}
                    />
                  ) : null}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : null}
      <PendingInvitations team={team} invitations={invitations} />
    </section>
  );
}
