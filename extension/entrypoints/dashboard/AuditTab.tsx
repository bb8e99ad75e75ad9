import { AsyncStatus, LoadMore } from '../../components/AsyncStatus';
import { CsvButton } from '../../components/CsvButton';
import { useApi } from '../../hooks/session-context';
import { usePages } from '../../hooks/use-pages';
import { formatDateTime, roleLabel } from '../../lib/format';
import type { SessionTeam } from '../../lib/storage';

/** Every admin and security action: who, in what role, did what to what, when, from where. */
export function AuditTab({ team }: { team: SessionTeam }) {
  const api = useApi();
  const log = usePages((cursor) => api.audit.list.query({ teamId: team.teamId, cursor }), [api, team.teamId]);
  const { items } = log;

  return (
    <section aria-labelledby="audit-heading">
      <div class="section-head">
        <h2 id="audit-heading">Audit log</h2>
        <CsvButton team={team} kind="audit" />
      </div>
      <AsyncStatus state={log} loading="Loading the audit log…" />
      {log.data && items.length === 0 ? <p class="empty">Nothing recorded yet.</p> : null}
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
      <LoadMore hasMore={log.hasMore} busy={log.more.busy} problem={log.more.problem} onLoad={() => void log.loadMore()} />
    </section>
  );
}
