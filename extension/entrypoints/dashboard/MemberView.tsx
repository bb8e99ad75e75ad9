import { useState } from 'preact/hooks';
import type { KeyRow } from '../../../shared/schemas/key';
import { AsyncStatus, LoadMore } from '../../components/AsyncStatus';
import { GenerateKeyDialog, takeGenerateRequest } from '../../components/GenerateKeyDialog';
import { KeyTable } from '../../components/KeyTable';
import { ProblemBox } from '../../components/ProblemBox';
import { useApi } from '../../hooks/session-context';
import { useRowUsageLoader } from '../../hooks/use-key-usage';
import { useMyKeys } from '../../hooks/use-my-keys';
import { RequestKey } from '../../components/RequestKey';
import type { SessionTeam } from '../../lib/storage';
import { KeyDetails, type KeyRef } from './KeyDetails';

const PAGE = 50;

/**
 * Members get the dashboard's table for their own keys, with Revoke on each (keys.revokeOwn),
 * a way to generate one when the team allows it, and a plain reason they see no more.
 */
export function MemberView({ team }: { team: SessionTeam }) {
  const my = useMyKeys(team, PAGE);
  const { mine, rows, allowed } = my;
  const [report, setReport] = useState<string | null>(null);
  const [generate, setGenerate] = useState<{ name: string } | null>(takeGenerateRequest);
  const [detail, setDetail] = useState<KeyRef | null>(null);
  const rowUsage = useRowUsageLoader(useApi(), team.teamId);

  const revoke = async (row: KeyRow): Promise<boolean> => {
    setReport(null);
    const result = await my.revoke(row);
    if (!result) return false;
    setReport(result.revoked ? `Revoked “${row.name}”. Anything using it is now refused.` : `“${row.name}” was already revoked.`);
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
        {!allowed ? ' Your team lets only admins generate keys: ask for one below.' : ''}
      </p>
      {!allowed ? <RequestKey teamId={team.teamId} onCreated={() => void my.reload()} /> : null}
      {report ? (
        <p class="report" role="status">
          {report}
        </p>
      ) : null}
      {my.action.problem ? <ProblemBox problem={my.action.problem} /> : null}
      <AsyncStatus state={mine} loading="Loading your keys…" />
      {mine.data ? (
        rows.length > 0 ? (
          <KeyTable
            rows={rows}
            caption="My keys"
            busy={mine.status === 'loading'}
            busyIds={my.busyIds}
            warnDays={my.warnDays}
            actions={{ revoke, mine: true, impact: my.impact, rotate: { teamId: team.teamId, onRotated: ({ row }) => (setReport(`Rotated “${row.name}”.`), void my.reload()) } }}
            onOpen={setDetail}
            usageOf={rowUsage}
          />
        ) : (
          <p class="empty">You have no keys in this team yet.{allowed ? ' Generate one with the button above.' : ''}</p>
        )
      ) : null}
      <LoadMore hasMore={mine.hasMore} busy={mine.more.busy} problem={mine.more.problem} onLoad={() => void mine.loadMore()} />
      {allowed ? (
        <GenerateKeyDialog
          open={generate !== null}
          teamId={team.teamId}
          maxLifetimeDays={my.maxLifetimeDays}
          initialName={generate?.name}
          onCreated={() => void my.reload()}
          onClose={() => setGenerate(null)}
        />
      ) : null}
      {detail ? <KeyDetails key={detail.id} teamId={team.teamId} keyRef={detail} admin={false} onClose={() => setDetail(null)} onChanged={() => void my.reload()} /> : null}
    </section>
  );
}
