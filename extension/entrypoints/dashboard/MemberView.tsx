import { KeyTable } from '../../components/KeyTable';
import { Loading } from '../../components/Loading';
import { ProblemBox } from '../../components/ProblemBox';
import { useAsync } from '../../hooks/use-async';
import type { Api } from '../../lib/api';
import type { SessionTeam } from '../../lib/storage';

/** Members get the dashboard's table for their own keys, and a plain reason they see no more. */
export function MemberView({ api, team, serverUrl }: { api: Api; team: SessionTeam; serverUrl: string }) {
  const mine = useAsync(() => api.keys.mine.query({ teamId: team.teamId, limit: 100 }), [api, team.teamId], serverUrl);
  return (
    <section aria-labelledby="member-heading">
      <h2 id="member-heading">My keys</h2>
      <p class="notice" role="note">
        You are a member of {team.name}, so you see only the keys you generated. Managing every key of the team (revoking, disabling, policies, members,
        the audit log) is for team admins and super admins.
      </p>
      {mine.status === 'error' ? <ProblemBox problem={mine.problem} onRetry={() => void mine.reload()} /> : null}
      {mine.data ? (
        mine.data.items.length > 0 ? (
          <KeyTable rows={mine.data.items} caption="My keys" />
        ) : (
          <p class="empty">You have no keys in this team yet. Generate one from the toolbar popup.</p>
        )
      ) : mine.status === 'loading' ? (
        <Loading label="Loading your keys…" />
      ) : null}
    </section>
  );
}
