import { browser } from 'wxt/browser';
import { KeyLookup } from '../../components/KeyLookup';
import { ProblemBox } from '../../components/ProblemBox';
import { useApi } from '../../hooks/session-context';
import { useAsync } from '../../hooks/use-async';
import { formatCount } from '../../lib/format';

const openDashboard = () => void browser.tabs.create({ url: browser.runtime.getURL('/dashboard.html') });

/**
 * Admins: counts by status, find-by-value with Revoke, and the way to the dashboard.
 * `keysVersion` changes whenever a key is generated or revoked in the popup, and reloads the counts.
 */
export function AdminTools({ teamId, keysVersion, onChanged }: { teamId: string; keysVersion: number; onChanged: () => void }) {
  const api = useApi();
  const counts = useAsync(() => api.keys.counts.query({ teamId }), [api, teamId, keysVersion]);
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
            <dd>{c ? formatCount(c.enabled) : '…'}</dd>
          </div>
          <div class="count count-disabled">
            <dt>Disabled</dt>
            <dd>{c ? formatCount(c.disabled) : '…'}</dd>
          </div>
          <div class="count count-revoked">
            <dt>Revoked</dt>
            <dd>{c ? formatCount(c.revoked) : '…'}</dd>
          </div>
        </dl>
      )}
      <KeyLookup teamId={teamId} onChanged={onChanged} />
    </section>
  );
}
