import { useState } from 'preact/hooks';
import { browser } from 'wxt/browser';
import { isAdminRole } from '../../../shared/schemas/common';
import type { KeyRow } from '../../../shared/schemas/key';
import { AsyncStatus } from '../../components/AsyncStatus';
import { GenerateKey } from '../../components/GenerateKey';
import { generateInDashboardUrl } from '../../components/GenerateKeyDialog';
import { MyKeys } from '../../components/MyKeys';
import { RequestKey } from '../../components/RequestKey';
import { ProblemBox } from '../../components/ProblemBox';
import { useMyKeys } from '../../hooks/use-my-keys';
import type { SessionTeam } from '../../lib/storage';

/** A popup is a few rows high: more come on request, and every key is one click away in the dashboard. */
const PAGE = 5;

const openDashboard = (url = browser.runtime.getURL('/dashboard.html')) => void browser.tabs.create({ url });

/**
 * "My keys" for everyone: the newest few, each live one with Revoke (keys.revokeOwn), more on
 * request, and "Generate key" when the team allows it (admins always may). `onChanged` after a
 * generate or a revoke.
 */
export function MyKeysSection({ team, onChanged }: { team: SessionTeam; onChanged: () => void }) {
  const my = useMyKeys(team, PAGE);
  const { mine, rows, allowed } = my;
  const [generating, setGenerating] = useState(false);

  const revoke = async (row: KeyRow) => {
    if (await my.revoke(row)) onChanged();
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
      {!allowed ? (
        <>
          <p class="hint">Your team lets only admins generate keys: ask for one, and generate it once an admin approves.</p>
          <RequestKey teamId={team.teamId} onCreated={() => (void my.reload(), onChanged())} />
        </>
      ) : null}
      {generating ? (
        <div class="subcard">
          <GenerateKey
            teamId={team.teamId}
            maxLifetimeDays={my.maxLifetimeDays}
            onCreated={() => (void my.reload(), onChanged())}
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
      {my.action.problem ? <ProblemBox problem={my.action.problem} /> : null}
      <AsyncStatus state={mine} loading="Loading your keys…" />
      {mine.data ? <MyKeys
          rows={rows}
          warnDays={my.warnDays}
          busyIds={my.busyIds}
          onRevoke={(row) => void revoke(row)}
          impact={my.impact}
          rotate={{ teamId: team.teamId, onRotated: () => (void my.reload(), onChanged()) }}
        /> : null}
      {mine.more.problem ? <ProblemBox problem={mine.more.problem} /> : null}
      {mine.hasMore || rows.length > PAGE ? (
        <div class="row more-row">
          {mine.hasMore ? (
            <button type="button" class="btn btn-link btn-small" disabled={mine.more.busy} onClick={() => void mine.loadMore()}>
              {mine.more.busy ? 'Loading…' : `Show ${PAGE} more`}
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
