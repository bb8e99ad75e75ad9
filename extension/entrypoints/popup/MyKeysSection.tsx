import { useState } from 'preact/hooks';
import { browser } from 'wxt/browser';
import { isAdminRole } from '../../../shared/schemas/common';
import type { KeyRow } from '../../../shared/schemas/key';
import { GenerateKey } from '../../components/GenerateKey';
import { generateInDashboardUrl } from '../../components/GenerateKeyDialog';
import { Loading } from '../../components/Loading';
import { MyKeys } from '../../components/MyKeys';
import { ProblemBox } from '../../components/ProblemBox';
import { useAction, useAsync } from '../../hooks/use-async';
import type { Api } from '../../lib/api';
import { requestAlertsRefresh } from '../../lib/messages';
import type { SessionTeam } from '../../lib/storage';
import { selectedImpact } from '../../lib/usage-queries';

/** A popup is a few rows high: more come on request, and every key is one click away in the dashboard. */
const PAGE = 5;

const openDashboard = (url = browser.runtime.getURL('/dashboard.html')) => void browser.tabs.create({ url });

/**
 * "My keys" for everyone: the newest few, each live one with Revoke (keys.revokeOwn), more on
 * request, and "Generate key" when the team allows it (admins always may). `onChanged` after a
 * generate or a revoke.
 */
export function MyKeysSection({ api, team, serverUrl, onChanged }: { api: Api; team: SessionTeam; serverUrl: string; onChanged: () => void }) {
  const mine = useAsync(() => api.keys.mine.query({ teamId: team.teamId, limit: PAGE }), [api, team.teamId], serverUrl);
  // Team settings decide whether members may generate; if they cannot be read, the server still enforces it on create.
  const settings = useAsync(() => api.settings.get.query({ teamId: team.teamId }).catch(() => null), [api, team.teamId], serverUrl);
  const [generating, setGenerating] = useState(false);
  const [more, setMore] = useState<{ items: KeyRow[]; cursor: string | null } | null>(null);
  const [changedRows, setChangedRows] = useState<Record<string, KeyRow>>({});
  const [busyIds, setBusyIds] = useState<Set<string>>(new Set());
  const action = useAction(serverUrl);
  const paging = useAction(serverUrl);
  const allowed = isAdminRole(team.role) || settings.data?.allowMemberKeyGeneration !== false;
  const warnDays = settings.data ? Math.max(0, ...settings.data.expiryWarningDays) : null;
  const rows = [...(mine.data?.items ?? []), ...(more?.items ?? [])].map((r) => changedRows[r.id] ?? r);
  const cursor = more ? more.cursor : (mine.data?.nextCursor ?? null);

  const reload = () => {
    setMore(null);
    setChangedRows({});
    void mine.reload();
  };
  const loadMore = async () => {
    if (!cursor) return;
    const page = await paging.act(() => api.keys.mine.query({ teamId: team.teamId, cursor, limit: PAGE }));
    if (page) setMore({ items: [...(more?.items ?? []), ...page.items], cursor: page.nextCursor ?? null });
  };
  const revoke = async (row: KeyRow) => {
    setBusyIds((s) => new Set(s).add(row.id));
    const result = await action.act(() => api.keys.revokeOwn.mutate({ teamId: team.teamId, keyId: row.id }));
    setBusyIds((s) => {
      const next = new Set(s);
      next.delete(row.id);
      return next;
    });
    if (!result) return;
    setChangedRows((c) => ({ ...c, [row.id]: result.row }));
    void requestAlertsRefresh();
    onChanged();
  };

  return (
    <section class="section" aria-labelledby="mine-heading">
      <div class="section-head">
        <h2 id="mine-heading">My keys</h2>
        {allowed && !generating ? (
          <button type="button" class="btn btn-small" onClick={() => setGenerating(true)}>
            Generate key
          </button>
        ) : null}
      </div>
      {!allowed ? <p class="hint">Your team lets only admins generate keys.</p> : null}
      {generating ? (
        <div class="subcard">
          <GenerateKey
            api={api}
            teamId={team.teamId}
            serverUrl={serverUrl}
            maxLifetimeDays={settings.data?.maxLifetimeDays ?? null}
            onCreated={() => (reload(), onChanged())}
            onDone={() => setGenerating(false)}
          />
          <div class="row">
            <button type="button" class="btn btn-link btn-small" onClick={() => setGenerating(false)}>
              Close
            </button>
            <button type="button" class="btn btn-link btn-small" onClick={() => openDashboard(generateInDashboardUrl())} title="The popup closes when you click elsewhere; a tab stays open">
              Generate in a tab instead
            </button>
          </div>
        </div>
      ) : null}
      {action.problem ? <ProblemBox problem={action.problem} /> : null}
      {mine.status === 'error' ? <ProblemBox problem={mine.problem} onRetry={() => void mine.reload()} /> : null}
      {mine.data ? (
        <MyKeys rows={rows} warnDays={warnDays} busyIds={busyIds} onRevoke={(row) => void revoke(row)} impact={(row) => selectedImpact(api, team.teamId, [row.id])} />
      ) : mine.status === 'loading' ? (
        <Loading label="Loading your keys…" />
      ) : null}
      {paging.problem ? <ProblemBox problem={paging.problem} /> : null}
      {cursor || rows.length > PAGE ? (
        <div class="row more-row">
          {cursor ? (
            <button type="button" class="btn btn-link btn-small" disabled={paging.busy} onClick={() => void loadMore()}>
              {paging.busy ? 'Loading…' : `Show ${PAGE} more`}
            </button>
          ) : null}
          <button type="button" class="btn btn-link btn-small" onClick={() => openDashboard()}>
            {isAdminRole(team.role) ? 'Open the dashboard' : 'All my keys in the dashboard'}
          </button>
        </div>
      ) : null}
    </section>
  );
}
