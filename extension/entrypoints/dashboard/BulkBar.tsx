import { useState } from 'preact/hooks';
import type { KeyFilters, KeyStatus } from '../../../shared/schemas/key';
import { ConfirmButton } from '../../components/ConfirmButton';
import { ProblemBox } from '../../components/ProblemBox';
import { RevokeAllDialog } from '../../components/RevokeAllDialog';
import { UsageImpact } from '../../components/UsageImpact';
import { useApi } from '../../hooks/session-context';
import { useAction } from '../../hooks/use-async';
import { useActionProgress } from '../../hooks/use-action-progress';
import { ProgressLine } from '../../components/ProgressLine';
import { describeError } from '../../lib/errors';
import type { KeyChange } from '../../lib/key-changes';
import { requestAlertsRefresh } from '../../lib/messages';
import { formatCount, pick, plural } from '../../lib/plural';
import type { SessionTeam } from '../../lib/storage';
import { matchingImpact, selectedImpact, teamImpact } from '../../lib/usage-queries';

/**
 * "Select all N matching": the filters the list was read with (passed to the server unchanged, which
 * resolves them itself), how many keys they held, and how many of those still work.
 */
export interface MatchingSelection {
  filters: KeyFilters;
  total: number;
  live: number;
}

/**
 * Actions on the selected rows, or on every key matching the filters, plus Revoke All; each
 * reports exactly what happened, and hands its effect to the list at once (`onChange`).
 */
export function BulkBar(props: {
  team: SessionTeam;
  selectedIds: string[];
  matching: MatchingSelection | null;
  onChange(change: KeyChange): void;
  /** The set changed under the admin (CONFLICT): the list must be read again. */
  onStale(): void;
  onReport(message: string): void;
}) {
  const { team, selectedIds, matching } = props;
  const api = useApi();
  const { busy, problem, act, clear } = useAction();
  const [revokeAllOpen, setRevokeAllOpen] = useState(false);
  const [teamCounts, setTeamCounts] = useState<{ enabled: number; disabled: number } | null>(null);
  const n = matching ? matching.total : selectedIds.length;
  // Read only while a call is out; the server records progress for actions of more than one batch.
  const progress = useActionProgress(api, team.teamId, busy);

  const finish = (change: KeyChange, message: string) => {
    props.onChange(change);
    props.onReport(message.trim());
    void requestAlertsRefresh();
  };
  const notFound = (ids: string[]) => (ids.length ? `; ${plural(ids.length, 'key')} not found` : '');
  /** A CONFLICT means the matching set changed: nothing was done, and the list on screen is out of date. */
  const matchingCall = <R,>(call: () => Promise<R>) =>
    act(async () => {
      try {
        return await call();
      } catch (err) {
        if (describeError(err).kind === 'conflict') props.onStale();
        throw err;
      }
    });

  const revoke = async () => {
    if (matching) {
      const r = await matchingCall(() => api.keys.revokeMatching.mutate({ ...matching.filters, expectedCount: matching.total }));
      if (r) {
        const [revoked, unchanged] = [r.revoked.length, r.alreadyRevoked.length];
        const already = unchanged ? ` (${formatCount(unchanged)} ${pick(unchanged, 'was', 'were')} already revoked)` : '';
        finish({ kind: 'revokedMatching', view: matching.filters.view }, `Revoked ${plural(revoked, 'key')} of ${team.name}, of the ${formatCount(revoked + unchanged)} matching${already}. ${ownersTold(revoked)}`);
      }
      return;
    }
    const r = await act(() => api.keys.revoke.mutate({ teamId: team.teamId, keyIds: selectedIds }));
    if (r) {
      const already = r.alreadyRevoked.length ? `; ${plural(r.alreadyRevoked.length, 'key')} already revoked` : '';
      finish({ kind: 'revoked', ids: r.revoked, reason: selectedIds.length === 1 ? 'manual' : 'bulk' }, `Revoked ${plural(r.revoked.length, 'key')} of ${team.name}${already}${notFound(r.notFound)}. ${ownersTold(r.revoked.length)}`);
    }
  };
  const setEnabled = async (enable: boolean) => {
    if (matching && !enable) {
      const r = await matchingCall(() => api.keys.disableMatching.mutate({ ...matching.filters, expectedCount: matching.total }));
      if (r) {
        const [changed, unchanged] = [r.changed.length, r.unchanged.length];
        finish({ kind: 'disabledMatching', view: matching.filters.view }, `Disabled ${plural(changed, 'key')} of ${team.name}, of the ${formatCount(changed + unchanged)} matching${unchanged ? `; ${formatCount(unchanged)} ${pick(unchanged, 'was', 'were')} not enabled` : ''}.`);
      }
      return;
    }
    const input = { teamId: team.teamId, keyIds: selectedIds };
    const r = await act(() => (enable ? api.keys.enable.mutate(input) : api.keys.disable.mutate(input)));
    if (r) {
      finish(
        { kind: enable ? 'enabled' : 'disabled', ids: r.changed },
        `${enable ? 'Enabled' : 'Disabled'} ${plural(r.changed.length, 'key')} of ${team.name}${r.unchanged.length ? `; ${plural(r.unchanged.length, 'key')} unchanged` : ''}${notFound(r.notFound)}.`,
      );
    }
  };
  const openRevokeAll = () => {
    clear();
    setTeamCounts(null);
    setRevokeAllOpen(true);
    // The dialog names the team's working keys, whatever the filters on screen narrow the list to.
    void api.keys.counts
      .query({ teamId: team.teamId })
      .then(setTeamCounts)
      .catch(() => {});
  };
  const revokeAll = async () => {
    const r = await act(() => api.keys.revokeAll.mutate({ teamId: team.teamId, confirm: 'REVOKE ALL' }));
    setRevokeAllOpen(false);
    if (!r) return;
    const revoked = r.revoked.length;
    const message = revoked === 0 ? `${team.name} had no working keys: nothing was revoked.` : `Revoked all ${plural(revoked, 'key')} of ${team.name}. ${ownersTold(revoked)}`;
    finish({ kind: 'revokedAll' }, message);
  };

  const matchingQuestion = matching ? (
    <>
      Revoke all {plural(matching.total, 'key')} of {team.name} matching these filters?{' '}
      {matching.live < matching.total
        ? `${formatCount(matching.live)} still ${pick(matching.live, 'works', 'work')} and ${pick(matching.live, 'stops', 'stop')} at once; the other ${formatCount(matching.total - matching.live)} ${pick(matching.total - matching.live, 'is', 'are')} already revoked.`
        : `Anything using ${pick(matching.total, 'it', 'them')} stops working at once.`}{' '}
      If the set has changed by then, nothing is revoked. This cannot be undone.
      <UsageImpact key={`${matching.total}:${matching.filters.view.join()}`} load={() => matchingImpact(api, matching.filters, matching.total)} />
    </>
  ) : (
    <>
      Revoke {plural(n, 'key')} of {team.name}? Anything using {pick(n, 'it', 'them')} stops working at once; this cannot be undone.
      {/* Read again whenever the ticked keys change under an open question. */}
      <UsageImpact key={selectedIds.join()} load={() => selectedImpact(api, team.teamId, selectedIds)} />
    </>
  );

  return (
    <div class="bulk" role="toolbar" aria-label="Actions on selected keys">
      <span class="bulk-count" aria-live="polite">
        {matching ? `All ${plural(matching.total, 'matching key')} selected` : n > 0 ? `${plural(n, 'key')} selected` : 'Select keys to act on them'}
      </span>
      <ConfirmButton
        label={matching ? `Revoke all ${formatCount(n)} matching` : `Revoke selected${n ? ` (${formatCount(n)})` : ''}`}
        confirmLabel={matching ? `Revoke ${plural(n, 'matching key')}` : `Revoke ${plural(n, 'key')}`}
        busy={busy || n === 0 || (matching !== null && matching.live === 0)}
        question={matchingQuestion}
        onConfirm={() => void revoke()}
      />
      <button type="button" class="btn" disabled={busy || n === 0} onClick={() => void setEnabled(false)}>
        Disable
      </button>
      <button type="button" class="btn" disabled={busy || n === 0 || matching !== null} title={matching ? 'Enable works on keys you tick one by one' : undefined} onClick={() => void setEnabled(true)}>
        Enable
      </button>
      <span class="spacer" />
      <button type="button" class="btn btn-danger-outline" disabled={busy} onClick={openRevokeAll}>
        Revoke all…
      </button>
      <RevokeAllDialog
        open={revokeAllOpen}
        teamName={team.name}
        counts={teamCounts}
        impact={() => teamImpact(api, team.teamId)}
        busy={busy}
        progress={progress}
        onConfirm={() => void revokeAll()}
        onClose={() => setRevokeAllOpen(false)}
      />
      {busy && progress && !revokeAllOpen ? <ProgressLine {...progress} /> : null}
      {problem ? <ProblemBox problem={problem} /> : null}
    </div>
  );
}

const ownersTold = (n: number) => (n === 0 ? '' : n === 1 ? 'Its owner was notified.' : 'Owners were notified.');

/** Statuses a "matching" action can change: everything in view but revoked keys. */
export const liveIn = (counts: Record<KeyStatus, number> | null, view: KeyStatus[]) => (counts ? view.filter((s) => s !== 'revoked').reduce((n, s) => n + counts[s], 0) : 0);
