import { useState } from 'preact/hooks';
import { isAdminRole } from '../../../shared/schemas/common';
import { GenerateKey } from '../../components/GenerateKey';
import { Loading } from '../../components/Loading';
import { MyKeys } from '../../components/MyKeys';
import { ProblemBox } from '../../components/ProblemBox';
import { useAsync } from '../../hooks/use-async';
import type { Api } from '../../lib/api';
import type { SessionTeam } from '../../lib/storage';

/** "My keys" for everyone, and "Generate key" when the team allows it (admins always may); `onChanged` after a generate. */
export function MyKeysSection({ api, team, serverUrl, onChanged }: { api: Api; team: SessionTeam; serverUrl: string; onChanged: () => void }) {
  const mine = useAsync(() => api.keys.mine.query({ teamId: team.teamId, limit: 20 }), [api, team.teamId], serverUrl);
  // Team settings decide whether members may generate; if they cannot be read, the server still enforces it on create.
  const settings = useAsync(() => api.settings.get.query({ teamId: team.teamId }).catch(() => null), [api, team.teamId], serverUrl);
  const [generating, setGenerating] = useState(false);
  const allowed = isAdminRole(team.role) || settings.data?.allowMemberKeyGeneration !== false;

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
          <GenerateKey api={api} teamId={team.teamId} serverUrl={serverUrl} maxLifetimeDays={settings.data?.maxLifetimeDays ?? null} onCreated={() => (void mine.reload(), onChanged())} />
          <button type="button" class="btn btn-link btn-small" onClick={() => setGenerating(false)}>
            Close
          </button>
        </div>
      ) : null}
      {mine.status === 'error' ? <ProblemBox problem={mine.problem} onRetry={() => void mine.reload()} /> : null}
      {mine.data ? <MyKeys rows={mine.data.items} /> : mine.status === 'loading' ? <Loading label="Loading your keys…" /> : null}
    </section>
  );
}
