import { useState } from 'preact/hooks';
import type { KeyRow } from '../../../shared/schemas/key';
import { GenerateKeyDialog, takeGenerateRequest } from '../../components/GenerateKeyDialog';
import { KeyTable } from '../../components/KeyTable';
import { Loading } from '../../components/Loading';
import { ProblemBox } from '../../components/ProblemBox';
import { useAction, useAsync } from '../../hooks/use-async';
import { useRowUsageLoader } from '../../hooks/use-key-usage';
import type { Api } from '../../lib/api';
import { requestAlertsRefresh } from '../../lib/messages';
import type { SessionTeam } from '../../lib/storage';
import { selectedImpact } from '../../lib/usage-queries';
import { KeyDetails, type KeyRef } from './KeyDetails';

const PAGE = 50;

/**
 * Members get the dashboard's table for their own keys, with Revoke on each (keys.revokeOwn),
 * a way to generate one when the team allows it, and a plain reason they see no more.
 */
export function MemberView({ api, team, serverUrl }: { api: Api; team: SessionTeam; serverUrl: string }) {
  const mine = useAsync(() => api.keys.mine.query({ teamId: team.teamId, limit: PAGE }), [api, team.teamId], serverUrl);
  const settings = useAsync(() => api.settings.get.query({ teamId: team.teamId }), [api, team.teamId], serverUrl);
  const [more, setMore] = useState<{ items: KeyRow[]; cursor: string | null } | null>(null);
  /** Rows the member changed here, by id, until the list is read again. */
  const [changedRows, setChangedRows] = useState<Record<string, KeyRow>>({});
  const [busyIds, setBusyIds] = useState<Set<string>>(new Set());
  const [report, setReport] = useState<string | null>(null);
  const [generate, setGenerate] = useState<{ name: string } | null>(takeGenerateRequest);
  const [detail, setDetail] = useState<KeyRef | null>(null);
  const rowUsage = useRowUsageLoader(api, team.teamId);
  const action = useAction(serverUrl);
  const paging = useAction(serverUrl);

  const allowed = settings.data?.allowMemberKeyGeneration !== false;
  const warnDays = settings.data ? Math.max(0, ...settings.data.expiryWarningDays) : null;
  const rows = [...(mine.data?.items ?? []), ...(more?.items ?? [])].map((r) => changedRows[r.id] ?? r);
  const cursor = more ? more.cursor : (mine.data?.nextCursor ?? null);

  const reload = async () => {
    setMore(null);
    setChangedRows({});
    await mine.reload();
  };
  const loadMore = async () => {
    if (!cursor) return;
    const page = await paging.act(() => api.keys.mine.query({ teamId: team.teamId, cursor, limit: PAGE }));
    if (page) setMore({ items: [...(more?.items ?? []), ...page.items], cursor: page.nextCursor ?? null });
  };
  const revoke = async (row: KeyRow): Promise<boolean> => {
    setReport(null);
    setBusyIds((s) => new Set(s).add(row.id));
    const result = await action.act(() => api.keys.revokeOwn.mutate({ teamId: team.teamId, keyId: row.id }));
    setBusyIds((s) => {
      const next = new Set(s);
      next.delete(row.id);
      return next;
    });
    if (!result) return false;
    // The server's own row: the table shows REVOKED at once, without reloading every page.
    setChangedRows((c) => ({ ...c, [row.id]: result.row }));
    setReport(result.revoked ? `Revoked “${row.name}”. Anything using it is now refused.` : `“${row.name}” was already revoked.`);
    void requestAlertsRefresh();
    return true;
  };

  return (
    <section aria-labelledby="member-heading">
      <div class="section-head">
        <h2 id="member-heading">My keys</h2>
        {allowed ? (
          <button type="button" class="btn btn-primary" onClick={() => setGenerate({ name: '' })}>
            Generate key
          </button>
        ) : null}
      </div>
      <p class="notice" role="note">
        You are a member of {team.name}, so you see only the keys you generated. Managing every key of the team (revoking, disabling, policies, members,
        the audit log) is for team admins and super admins.
        {!allowed ? ' Your team lets only admins generate keys.' : ''}
      </p>
      {report ? (
        <p class="report" role="status">
          {report}
        </p>
      ) : null}
      {action.problem ? <ProblemBox problem={action.problem} /> : null}
      {mine.status === 'error' ? <ProblemBox problem={mine.problem} onRetry={() => void mine.reload()} /> : null}
      {mine.data ? (
        rows.length > 0 ? (
          <KeyTable
            rows={rows}
            caption="My keys"
            busy={mine.status === 'loading'}
            busyIds={busyIds}
            warnDays={warnDays}
            actions={{ revoke, mine: true, impact: (row) => selectedImpact(api, team.teamId, [row.id]) }}
            onOpen={setDetail}
            usageOf={rowUsage}
          />
        ) : (
          <p class="empty">You have no keys in this team yet.{allowed ? ' Generate one with the button above.' : ''}</p>
        )
      ) : mine.status === 'loading' ? (
        <Loading label="Loading your keys…" />
      ) : null}
      {paging.problem ? <ProblemBox problem={paging.problem} /> : null}
      {cursor ? (
        <button type="button" class="btn load-more" disabled={paging.busy} onClick={() => void loadMore()}>
          {paging.busy ? 'Loading…' : 'Load more'}
        </button>
      ) : null}
      {allowed ? (
        <GenerateKeyDialog
          open={generate !== null}
          api={api}
          teamId={team.teamId}
          serverUrl={serverUrl}
          maxLifetimeDays={settings.data?.maxLifetimeDays ?? null}
          initialName={generate?.name}
          onCreated={() => void reload()}
          onClose={() => setGenerate(null)}
        />
      ) : null}
      {detail ? <KeyDetails key={detail.id} api={api} teamId={team.teamId} serverUrl={serverUrl} keyRef={detail} admin={false} onClose={() => setDetail(null)} /> : null}
    </section>
  );
}
