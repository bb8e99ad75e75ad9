import { useState } from 'preact/hooks';
import { IDLE_DAYS } from '../../../shared/idle';
import { KEY_PARSE_MESSAGES, KEY_PREFIX, parseKey } from '../../../shared/key-format';
import type { KeyRow } from '../../../shared/schemas/key';
import { CsvButton } from '../../components/CsvButton';
import { GenerateKeyDialog, takeGenerateRequest } from '../../components/GenerateKeyDialog';
import { KeyFilters, type KeyFilterState } from '../../components/KeyFilters';
import { KeyTable } from '../../components/KeyTable';
import { ProblemBox } from '../../components/ProblemBox';
import { useApi } from '../../hooks/session-context';
import { useAction, useAsync } from '../../hooks/use-async';
import { useBusyIds } from '../../hooks/use-busy-ids';
import { useRowUsageLoader } from '../../hooks/use-key-usage';
import { PAGE_SIZE, useKeyList } from '../../hooks/use-key-list';
import type { KeyChange } from '../../lib/key-changes';
import { requestAlertsRefresh } from '../../lib/messages';
import { formatCount, pick, plural } from '../../lib/plural';
import type { SessionTeam } from '../../lib/storage';
import { selectedImpact } from '../../lib/usage-queries';
import { BulkBar, liveIn } from './BulkBar';
import { KeyDetails, type KeyRef } from './KeyDetails';
import { UsageOverview, type IdleKind } from './UsageOverview';

const INITIAL: KeyFilterState = { view: ['enabled', 'disabled', 'revoked'], search: '', generatedBy: [], sort: 'newest' };

/**
 * The seed's dashboard: the team's usage, filters, the table with selection, row actions and 7-day
 * sparklines, bulk actions, pagination, CSV, generate; a key's name opens its details.
 */
export function KeysTab({ team }: { team: SessionTeam }) {
  const api = useApi();
  const [filters, setFilters] = useState<KeyFilterState>(INITIAL);
  const [searchError, setSearchError] = useState<string | null>(null);
  const [selected, setSelected] = useState<Set<string>>(new Set());
  const [allMatching, setAllMatching] = useState(false);
  const [report, setReport] = useState<string | null>(null);
  const { busyIds, during } = useBusyIds();
  const [generate, setGenerate] = useState<{ name: string } | null>(takeGenerateRequest);
  const [detail, setDetail] = useState<KeyRef | null>(null);
  const [idleNote, setIdleNote] = useState<string | null>(null);
  const rowUsage = useRowUsageLoader(api, team.teamId);
  // A change of filters that cannot load puts back the filters the rows on screen were read with.
  const list = useKeyList(team.teamId, filters, setFilters);
  const members = useAsync(() => api.members.list.query({ teamId: team.teamId }), [api, team.teamId]);
  const settings = useAsync(() => api.settings.get.query({ teamId: team.teamId }), [api, team.teamId]);
  const roles = useAsync(() => api.roles.list.query({ teamId: team.teamId }), [api, team.teamId]);
  const rowAction = useAction();
  const warnDays = settings.data ? Math.max(0, ...settings.data.expiryWarningDays) : null;

  const clearSelection = () => {
    setSelected(new Set());
    setAllMatching(false);
  };
  const change = (next: KeyFilterState) => {
    clearSelection();
    setReport(null);
    setIdleNote(null);
    setFilters(next);
  };
  /** The overview's "Show": idle keys through the Idle filter (the card counts with its query); never-used ones come last by use. */
  const showIdle = (kind: IdleKind, count: number) => {
    if (kind === 'idle') {
      change({ ...INITIAL, view: ['enabled'], idleDays: IDLE_DAYS });
      return setIdleNote(`Working keys with no use in ${IDLE_DAYS} days (the Idle filter): ${plural(count, 'key')}.`);
    }
    change({ ...INITIAL, view: ['enabled'], sort: 'recently_used' });
    setIdleNote(`Working keys by most recent use: the ${plural(count, 'key')} never used ${pick(count, 'comes', 'come')} last (load more to reach them).`);
  };
  const search = (text: string) => {
    const value = text.trim();
    // A pasted key is checked locally first: a typo is reported without a request.
    if (value.startsWith(KEY_PREFIX)) {
      const parsed = parseKey(value);
      if (!parsed.ok) return setSearchError(KEY_PARSE_MESSAGES[parsed.reason]);
    }
    setSearchError(null);
    change({ ...filters, search: value });
  };
  const selection = {
    selected,
    toggle: (id: string) => (setAllMatching(false), setSelected((s) => toggled(s, id))),
    toggleAll: (ids: string[], on: boolean) => (setAllMatching(false), setSelected((s) => new Set(on ? [...s, ...ids] : [...s].filter((id) => !ids.includes(id))))),
  };
  /** An action's effect shows at once; the reload that follows confirms it (the table is busy meanwhile). */
  const changed = (what: KeyChange) => {
    clearSelection();
    list.apply(what);
    list.reload();
  };

  /** One row's action, from its hover buttons: two clicks and a confirmation for Revoke. */
  const onRow = async (row: KeyRow, kind: 'revoke' | 'disable' | 'enable'): Promise<boolean> => {
    setReport(null);
    const input = { teamId: team.teamId, keyIds: [row.id] };
    const result = await during(row.id, () =>
      rowAction.act(async (): Promise<{ changed: boolean }> => {
        if (kind === 'revoke') return { changed: (await api.keys.revoke.mutate(input)).revoked.length > 0 };
        return { changed: (await (kind === 'disable' ? api.keys.disable.mutate(input) : api.keys.enable.mutate(input))).changed.length > 0 };
      }),
    );
    if (!result) return false;
    const owner = row.generatedBy.email;
    if (kind === 'revoke') {
      changed({ kind: 'revoked', ids: [row.id], reason: 'manual' });
      setReport(result.changed ? `Revoked “${row.name}”. ${owner} was notified.` : `“${row.name}” was already revoked.`);
      void requestAlertsRefresh();
    } else {
      changed({ kind: kind === 'disable' ? 'disabled' : 'enabled', ids: [row.id] });
      setReport(`${kind === 'disable' ? 'Disabled' : 'Enabled'} “${row.name}”.`);
    }
    return true;
  };

  const total = list.total;
  const selectableShown = list.rows.filter((r) => r.status !== 'revoked').length;
  const pageAllSelected = selectableShown > 0 && list.rows.every((r) => r.status === 'revoked' || selected.has(r.id));
  const offerMatching = !allMatching && pageAllSelected && total !== null && total > list.rows.length;
  // Exactly the filters the list and its counts were read with: the N offered is what the server resolves.
  const matching = allMatching && total !== null && list.countedFor ? { filters: list.countedFor, total, live: liveIn(list.counts, list.countedFor.view) } : null;

  return (
    <>
      <UsageOverview teamId={team.teamId} onOpenKey={setDetail} onShowIdle={showIdle} />
      <section aria-labelledby="keys-heading">
        <div class="section-head">
          <h2 id="keys-heading">API keys</h2>
          {list.counts ? (
            <p class={`counts-inline${list.busy ? ' is-busy' : ''}`} aria-live="polite" aria-busy={list.busy ? 'true' : 'false'}>
              <span class="tag tag-enabled">{formatCount(list.counts.enabled)} enabled</span>
              <span class="tag tag-disabled">{formatCount(list.counts.disabled)} disabled</span>
              <span class="tag tag-revoked">{formatCount(list.counts.revoked)} revoked</span>
            </p>
          ) : null}
          <button type="button" class="btn btn-primary" onClick={() => setGenerate({ name: '' })}>
            Generate key
          </button>
          <CsvButton team={team} kind="keys" />
        </div>
        <KeyFilters value={filters} members={members.data ?? []} roles={roles.data ?? []} searchError={searchError} onChange={change} onSearch={search} />
        {idleNote ? <p class="notice">{idleNote}</p> : null}
        {filters.search ? (
          <p class="hint">
            Showing keys matching <span class="mono">{filters.search.startsWith(KEY_PREFIX) ? 'the pasted key' : `“${filters.search}”`}</span>.{' '}
            <button type="button" class="btn btn-link btn-small" onClick={() => change({ ...filters, search: '' })}>
              Clear search
            </button>
          </p>
        ) : null}
        <div class="keys-toolbar">
          <p class="showing">
            <span aria-live="polite">
              {filters.view.length === 0 ? 'No status ticked' : total === null ? '' : `Showing ${formatCount(list.rows.length)} of ${formatCount(total)} ${total === 1 ? 'key' : 'keys'}`}
            </span>
            {list.busy ? (
              <span class="loading-inline" role="status">
                <span class="spinner" aria-hidden="true" />
                {list.rows.length > 0 ? 'Updating…' : 'Loading keys…'}
              </span>
            ) : null}
          </p>
          {offerMatching ? (
            <p class="select-matching">
              All {formatCount(selectableShown)} selectable keys on screen are selected.{' '}
              <button type="button" class="btn btn-link btn-small" onClick={() => setAllMatching(true)}>
                Select all {formatCount(total)} matching keys of {team.name}
              </button>
            </p>
          ) : null}
          {allMatching ? (
            <p class="select-matching">
              All {formatCount(total ?? 0)} keys of {team.name} matching these filters are selected, including those not loaded.{' '}
              <button type="button" class="btn btn-link btn-small" onClick={clearSelection}>
                Clear selection
              </button>
            </p>
          ) : null}
          <BulkBar
            team={team}
            selectedIds={[...selected]}
            matching={matching}
            onChange={changed}
            onStale={() => (clearSelection(), list.reload())}
            onReport={setReport}
          />
          {report ? (
            <p class="report" role="status">
              {report}
            </p>
          ) : null}
          {rowAction.problem ? <ProblemBox problem={rowAction.problem} /> : null}
        </div>
        {filters.view.length === 0 ? <p class="empty">Choose at least one of Enabled, Disabled or Revoked to see keys.</p> : null}
        {list.problem ? <ProblemBox problem={list.problem} onRetry={list.reload} /> : null}
        {list.rows.length > 0 ? (
          <KeyTable
            rows={list.rows}
            selection={selection}
            caption={`API keys of ${team.name}`}
            busy={list.busy}
            busyIds={busyIds}
            warnDays={warnDays}
            actions={{
              revoke: (row) => onRow(row, 'revoke'),
              disable: (row) => onRow(row, 'disable'),
              enable: (row) => onRow(row, 'enable'),
              impact: (row) => selectedImpact(api, team.teamId, [row.id]),
              rotate: { teamId: team.teamId, onRotated: ({ row }) => (setReport(`Rotated “${row.name}”.`), list.reload()) },
            }}
            onOpen={setDetail}
            usageOf={rowUsage}
          />
        ) : null}
        {list.status === 'ok' && list.rows.length === 0 && filters.view.length > 0 ? <p class="empty">No keys match these filters.</p> : null}
        {list.hasMore ? (
          <button type="button" class="btn load-more" disabled={list.busy} onClick={list.loadMore}>
            {list.busy ? 'Loading…' : total !== null && total > list.rows.length ? `Load ${formatCount(Math.min(PAGE_SIZE, total - list.rows.length))} more` : 'Load more'}
          </button>
        ) : null}
        <GenerateKeyDialog
          open={generate !== null}
          teamId={team.teamId}
          maxLifetimeDays={settings.data?.maxLifetimeDays ?? null}
          initialName={generate?.name}
          allowCanary
          allowPolicy
          onCreated={list.reload}
          onClose={() => setGenerate(null)}
        />
        {detail ? <KeyDetails key={detail.id} teamId={team.teamId} keyRef={detail} admin onClose={() => setDetail(null)} onChanged={() => list.reload()} /> : null}
      </section>
    </>
  );
}

function toggled(set: Set<string>, id: string): Set<string> {
  const next = new Set(set);
  if (!next.delete(id)) next.add(id);
  return next;
}
