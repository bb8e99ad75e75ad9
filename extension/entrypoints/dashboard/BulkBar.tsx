import { useState } from 'preact/hooks';
import { ConfirmButton } from '../../components/ConfirmButton';
import { ProblemBox } from '../../components/ProblemBox';
import { RevokeAllDialog } from '../../components/RevokeAllDialog';
import { useAction } from '../../hooks/use-async';
import type { Api } from '../../lib/api';
import { requestAlertsRefresh } from '../../lib/messages';
import type { SessionTeam } from '../../lib/storage';

const keys = (n: number) => `${n} key${n === 1 ? '' : 's'}`;

/** Actions on the selected rows, plus Revoke All; each reports exactly what happened. */
export function BulkBar(props: { api: Api; team: SessionTeam; serverUrl: string; selectedIds: string[]; enabledCount: number | null; onDone(): void }) {
  const { api, team, selectedIds } = props;
  const { busy, problem, act } = useAction(props.serverUrl);
  const [report, setReport] = useState<string | null>(null);
  const [revokeAllOpen, setRevokeAllOpen] = useState(false);
  const n = selectedIds.length;

  const finish = (message: string) => {
    setReport(message);
    props.onDone();
    void requestAlertsRefresh();
  };
  const revokeSelected = async () => {
    const r = await act(() => api.keys.revoke.mutate({ teamId: team.teamId, keyIds: selectedIds }));
    if (r) finish(`Revoked ${keys(r.revoked.length)}${r.alreadyRevoked.length ? `; ${keys(r.alreadyRevoked.length)} already revoked` : ''}${r.notFound.length ? `; ${keys(r.notFound.length)} not found` : ''}. Owners were notified.`);
  };
  const setEnabled = async (enable: boolean) => {
    const input = { teamId: team.teamId, keyIds: selectedIds };
    const r = await act(() => (enable ? api.keys.enable.mutate(input) : api.keys.disable.mutate(input)));
    if (r) finish(`${enable ? 'Enabled' : 'Disabled'} ${keys(r.changed.length)}${r.unchanged.length ? `; ${keys(r.unchanged.length)} unchanged` : ''}${r.notFound.length ? `; ${keys(r.notFound.length)} not found` : ''}.`);
  };
  const revokeAll = async () => {
    const r = await act(() => api.keys.revokeAll.mutate({ teamId: team.teamId, confirm: 'REVOKE ALL' }));
    setRevokeAllOpen(false);
    if (r) finish(`Revoked all ${keys(r.revoked)} of ${team.name}. Owners were notified.`);
  };

  return (
    <div class="bulk" role="toolbar" aria-label="Actions on selected keys">
      <span class="bulk-count" aria-live="polite">
        {n > 0 ? `${keys(n)} selected` : 'Select keys to act on them'}
      </span>
      <ConfirmButton
        label={`Revoke selected${n ? ` (${n})` : ''}`}
        confirmLabel={`Revoke ${keys(n)}`}
        busy={busy || n === 0}
        question={<>Revoke {keys(n)}? Anything using them stops working at once; this cannot be undone.</>}
        onConfirm={() => void revokeSelected()}
      />
      <button type="button" class="btn" disabled={busy || n === 0} onClick={() => void setEnabled(false)}>
        Disable
      </button>
      <button type="button" class="btn" disabled={busy || n === 0} onClick={() => void setEnabled(true)}>
        Enable
      </button>
      <span class="spacer" />
      <button type="button" class="btn btn-danger-outline" disabled={busy} onClick={() => setRevokeAllOpen(true)}>
        Revoke all…
      </button>
      <RevokeAllDialog open={revokeAllOpen} teamName={team.name} enabledCount={props.enabledCount} busy={busy} onConfirm={() => void revokeAll()} onClose={() => setRevokeAllOpen(false)} />
      {report ? (
        <p class="report" role="status">
          {report}
        </p>
      ) : null}
      {problem ? <ProblemBox problem={problem} /> : null}
    </div>
  );
}
