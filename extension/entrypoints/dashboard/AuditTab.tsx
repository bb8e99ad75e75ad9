import { useState } from 'preact/hooks';
import { CsvButton } from '../../components/CsvButton';
import { Loading } from '../../components/Loading';
import { ProblemBox } from '../../components/ProblemBox';
import { useAction, useAsync } from '../../hooks/use-async';
import type { Api, RouterOutputs } from '../../lib/api';
import { formatDateTime, roleLabel } from '../../lib/format';
import type { Session, SessionTeam } from '../../lib/storage';

type AuditEntry = RouterOutputs['audit']['list']['items'][number];

/** Every admin and security action: who, in what role, did what to what, when, from where. */
export function AuditTab({ api, team, session }: { api: Api; team: SessionTeam; session: Session }) {
  const first = useAsync(() => api.audit.list.query({ teamId: team.teamId }), [api, team.teamId], session.serverUrl);
  const [more, setMore] = useState<{ items: AuditEntry[]; cursor: string | null } | null>(null);
  const { busy, problem, act } = useAction(session.serverUrl);
  const items = [...(first.data?.items ?? []), ...(more?.items ?? [])];
  const cursor = more ? more.cursor : (first.data?.nextCursor ?? null);

  const loadMore = async () => {
    if (!cursor) return;
    const page = await act(() => api.audit.list.query({ teamId: team.teamId, cursor }));
    if (page) setMore({ items: [...(more?.items ?? []), ...page.items], cursor: page.nextCursor ?? null });
  };

  return (
    <section aria-labelledby="audit-heading">
      <div class="section-head">
        <h2 id="audit-heading">Audit log</h2>
        <CsvButton session={session} team={team} kind="audit" />
      </div>
      {first.status === 'error' ? <ProblemBox problem={first.problem} onRetry={() => void first.reload()} /> : null}
      {first.status === 'loading' && !first.data ? <Loading label="Loading the audit log…" /> : null}
      {first.data && items.length === 0 ? <p class="empty">Nothing recorded yet.</p> : null}
      {items.length > 0 ? (
        <table class="compact audit">
          <caption class="sr-only">Audit log of {team.name}</caption>
          <thead>
            <tr>
              <th scope="col">When</th>
              <th scope="col">Who</th>
              <th scope="col">Action</th>
              <th scope="col">Targets</th>
              <th scope="col">From</th>
            </tr>
          </thead>
          <tbody>
            {items.map((entry) => (
              <tr key={entry.id}>
                <td>{formatDateTime(entry.at)}</td>
                <td>
                  {entry.actor.email ?? 'system'}
                  {entry.actor.role ? <span class="role">{roleLabel(entry.actor.role)}</span> : null}
                </td>
                <td class="mono">{entry.action}</td>
                <td>{entry.targets.count}</td>
                <td class="muted" title={entry.userAgent ?? undefined}>
                  {entry.ip ?? '—'}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : null}
      {problem ? <ProblemBox problem={problem} /> : null}
      {cursor ? (
        <button type="button" class="btn load-more" disabled={busy} onClick={() => void loadMore()}>
          {busy ? 'Loading…' : 'Load more'}
        </button>
      ) : null}
    </section>
  );
}
