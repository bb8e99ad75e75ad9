import { browser } from 'wxt/browser';
import { KeyLookup } from '../../components/KeyLookup';
import { ProblemBox } from '../../components/ProblemBox';
import { useAsync } from '../../hooks/use-async';
import type { Api } from '../../lib/api';

const openDashboard = () => void browser.tabs.create({ url: browser.runtime.getURL('/dashboard.html') });

/**
 * Admins: counts by status, find-by-value with Revoke, and the way to the dashboard.
 * `keysVersion` changes whenever a key is generated or revoked in the popup, and reloads the counts.
 */
export function AdminTools({ api, teamId, serverUrl, keysVersion, onChanged }: { api: Api; teamId: string; serverUrl: string; keysVersion: number; onChanged: () => void }) {
  const counts = useAsync(() => api.keys.counts.query({ teamId }), [api, teamId, keysVersion], serverUrl);
  const c = counts.data;
  return (
    <section class="section" aria-labelledby="team-heading">
      <div class="section-head">
        <h2 id="team-heading">Team keys</h2>
        <button type="button" class="btn btn-primary btn-small" onClick={openDashboard}>
          Open dashboard
        </button>
      </div>
      {counts.status === 'error' ? (
        <ProblemBox problem={counts.problem} onRetry={() => void counts.reload()} />
      ) : (
        <dl class="counts" aria-busy={counts.status === 'loading'}>
          <div class="count count-enabled">
            <dt>Enabled</dt>
            <dd>{c ? c.enabled : '…'}</dd>
          </div>
          <div class="count count-disabled">
            <dt>Disabled</dt>
            <dd>{c ? c.disabled : '…'}</dd>
          </div>
          <div class="count count-revoked">
            <dt>Revoked</dt>
            <dd>{c ? c.revoked : '…'}</dd>
          </div>
        </dl>
      )}
      <KeyLookup api={api} teamId={teamId} serverUrl={serverUrl} onChanged={onChanged} />
    </section>
  );
}
