import { useSignedIn } from '../hooks/session-context';
import { useAction } from '../hooks/use-async';
import { csvFilename, downloadCsv } from '../lib/csv-download';
import type { SessionTeam } from '../lib/storage';
import { ProblemBox } from './ProblemBox';

/** "Export CSV" for the key inventory or the audit log. */
export function CsvButton({ team, kind }: { team: SessionTeam; kind: 'keys' | 'audit' }) {
  const { session } = useSignedIn();
  const { busy, problem, act } = useAction();
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
