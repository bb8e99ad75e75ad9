import { useState } from 'preact/hooks';
import { KEY_PARSE_MESSAGES, KEY_PREFIX, parseKey } from '../../../shared/key-format';
import { CsvButton } from '../../components/CsvButton';
import { KeyFilters, type KeyFilterState } from '../../components/KeyFilters';
import { KeyTable } from '../../components/KeyTable';
import { Loading } from '../../components/Loading';
import { ProblemBox } from '../../components/ProblemBox';
import { useAsync } from '../../hooks/use-async';
import type { Api } from '../../lib/api';
import type { Session, SessionTeam } from '../../lib/storage';
import { BulkBar } from './BulkBar';
import { useKeyList } from '../../hooks/use-key-list';

const INITIAL: KeyFilterState = { view: ['enabled', 'disabled', 'revoked'], search: '', generatedBy: [], sort: 'newest' };

/** The seed's dashboard: filters, the table with selection, bulk actions, pagination, CSV. */
export function KeysTab({ api, session, team }: { api: Api; session: Session; team: SessionTeam }) {
  const [filters, setFilters] = useState<KeyFilterState>(INITIAL);
  const [searchError, setSearchError] = useState<string | null>(null);
  const [selected, setSelected] = useState<Set<string>>(new Set());
  const list = useKeyList(api, team.teamId, filters, session.serverUrl);
  const members = useAsync(() => api.members.list.query({ teamId: team.teamId }), [api, team.teamId], session.serverUrl);

  const change = (next: KeyFilterState) => {
    setSelected(new Set());
    setFilters(next);
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
    toggle: (id: string) => setSelected((s) => toggled(s, id)),
    toggleAll: (ids: string[], on: boolean) => setSelected((s) => new Set(on ? [...s, ...ids] : [...s].filter((id) => !ids.includes(id)))),
  };
  const afterAction = () => {
    setSelected(new Set());
    list.reload();
  };

  return (
    <section aria-labelledby="keys-heading">
      <div class="section-head">
        <h2 id="keys-heading">API keys</h2>
        {list.counts ? (
          <p class="counts-inline" aria-live="polite">
            <span class="tag tag-enabled">{list.counts.enabled} enabled</span>
            <span class="tag tag-disabled">{list.counts.disabled} disabled</span>
            <span class="tag tag-revoked">{list.counts.revoked} revoked</span>
          </p>
        ) : null}
        <CsvButton session={session} team={team} kind="keys" />
      </div>
      <KeyFilters value={filters} members={members.data ?? []} searchError={searchError} onChange={change} onSearch={search} />
      {filters.search ? (
        <p class="hint">
          Showing keys matching <span class="mono">{filters.search.startsWith(KEY_PREFIX) ? 'the pasted key' : `“${filters.search}”`}</span>.{' '}
          <button type="button" class="btn btn-link btn-small" onClick={() => change({ ...filters, search: '' })}>
            Clear search
          </button>
        </p>
      ) : null}
      <BulkBar api={api} team={team} serverUrl={session.serverUrl} selectedIds={[...selected]} enabledCount={list.counts?.enabled ?? null} onDone={afterAction} />
      {filters.view.length === 0 ? <p class="empty">Choose at least one of Enabled, Disabled or Revoked to see keys.</p> : null}
      {list.problem ? <ProblemBox problem={list.problem} onRetry={list.reload} /> : null}
      {list.rows.length > 0 ? <KeyTable rows={list.rows} selection={selection} caption={`API keys of ${team.name}`} /> : null}
      {list.status === 'ok' && list.rows.length === 0 && filters.view.length > 0 ? <p class="empty">No keys match these filters.</p> : null}
      {list.status === 'loading' ? <Loading label="Loading keys…" /> : null}
      {list.hasMore && list.status !== 'loading' ? (
        <button type="button" class="btn load-more" onClick={list.loadMore}>
          Load more
        </button>
      ) : null}
    </section>
  );
}

function toggled(set: Set<string>, id: string): Set<string> {
  const next = new Set(set);
  if (!next.delete(id)) next.add(id);
  return next;
}
