import { useAction } from '../hooks/use-async';
import { csvFilename, downloadCsv } from '../lib/csv-download';
import type { Session, SessionTeam } from '../lib/storage';
import { ProblemBox } from './ProblemBox';

/** "Export CSV" for the key inventory or the audit log. */
export function CsvButton({ session, team, kind }: { session: Session; team: SessionTeam; kind: 'keys' | 'audit' }) {
  const { busy, problem, act } = useAction(session.serverUrl);
  return (
    <span class="csv">
      <button
        type="button"
        class="btn"
        disabled={busy}
        onClick={() => void act(() => downloadCsv(session.serverUrl, session.token, `/v1/teams/${encodeURIComponent(team.teamId)}/${kind}.csv`, csvFilename(kind, team.name)))}
      >
        {busy ? 'Exporting…' : kind === 'keys' ? 'Export keys (CSV)' : 'Export audit log (CSV)'}
      </button>
      {problem ? <ProblemBox problem={problem} /> : null}
    </span>
  );
}
