import { useState } from 'preact/hooks';
import type { UsageRange } from '../../../shared/schemas/usage';
import { IDLE_DAYS } from '../../../shared/idle';
import { AsyncStatus } from '../../components/AsyncStatus';
import { UsageChart } from '../../components/UsageChart';
import { useApi } from '../../hooks/session-context';
import { useAsync } from '../../hooks/use-async';
import { formatCount, pick, plural } from '../../lib/plural';
import { deniedSummary, failedTotal } from '../../lib/usage';
import type { KeyRef } from './KeyDetails';

const RANGES: { value: UsageRange; label: string; per: string }[] = [
  { value: '24h', label: 'Last 24 hours', per: 'hour' },
  { value: '7d', label: 'Last 7 days', per: 'day' },
  { value: '30d', label: 'Last 30 days', per: 'day' },
];
const TOP_SHOWN = 5;

export type IdleKind = 'never' | 'idle';

/**
 * The team's verifications at a glance (usage.overview, admins): volume per hour or day, how many
 * keys were used, the most used ones (each opens its details), and how many working keys were
 * never used or not for 30 days (counted by the server with the Idle filter's query), each with a
 * way to the list: "Show" of the idle ones sets that filter.
 */
export function UsageOverview({ teamId, onOpenKey, onShowIdle }: { teamId: string; onOpenKey(key: KeyRef): void; onShowIdle(kind: IdleKind, count: number): void }) {
  const api = useApi();
  const [range, setRange] = useState<UsageRange>('7d');
  const overview = useAsync(() => api.usage.overview.query({ teamId, range }), [api, teamId, range]);
  const o = overview.data;
  const label = RANGES.find((r) => r.value === range)!;

  return (
    <section class="usage-overview" aria-labelledby="usage-heading">
      <div class="section-head">
        <h2 id="usage-heading">Usage</h2>
        <label class="field field-inline usage-range">
          <span>Period</span>
          <select name="usage-range" value={range} onChange={(e) => setRange(e.currentTarget.value as UsageRange)}>
            {RANGES.map((r) => (
              <option key={r.value} value={r.value}>
                {r.label}
              </option>
            ))}
          </select>
        </label>
      </div>
      <AsyncStatus state={overview} loading="Reading the team's usage…" />
      {o ? (
        <div class={`usage-grid${overview.status === 'loading' ? ' is-busy' : ''}`} aria-busy={overview.status === 'loading' ? 'true' : 'false'}>
          <UsageChart buckets={o.buckets} bucket={o.bucket} label={`Verifications of the team's keys per ${label.per}, ${label.label.toLowerCase()}`} />
          <ul class="usage-stats">
            <li>
              <strong>{formatCount(o.totals.valid)}</strong> valid {pick(o.totals.valid, 'verification', 'verifications')}
            </li>
            <li>
              <strong>{formatCount(failedTotal(o.totals.failed))}</strong> refused (revoked, disabled or expired keys)
            </li>
            {deniedSummary(o.totals.denied) ? <li>Denied by limits or policy: {deniedSummary(o.totals.denied)}</li> : null}
            <li>
              <strong>{formatCount(o.keysUsed)}</strong> {pick(o.keysUsed, 'key', 'keys')} used
            </li>
            <li>
              <strong>{formatCount(o.neverUsed)}</strong> working {pick(o.neverUsed, 'key', 'keys')} never used
              {o.neverUsed > 0 ? (
                <button type="button" class="btn btn-link btn-small" aria-label={`Show the ${plural(o.neverUsed, 'never-used key')} in the list`} onClick={() => onShowIdle('never', o.neverUsed)}>
                  Show
                </button>
              ) : null}
            </li>
            <li>
              <strong>{formatCount(o.unusedFor30Days)}</strong> working {pick(o.unusedFor30Days, 'key', 'keys')} not used for {IDLE_DAYS} days
              {o.unusedFor30Days > 0 ? (
                <button type="button" class="btn btn-link btn-small" aria-label={`Show the ${plural(o.unusedFor30Days, 'working key')} not used for ${IDLE_DAYS} days in the list`} onClick={() => onShowIdle('idle', o.unusedFor30Days)}>
                  Show
                </button>
              ) : null}
            </li>
          </ul>
          {o.topKeys.length > 0 ? (
            <div class="top-keys">
              <h3 id="top-keys-heading">Most used</h3>
              <ol aria-labelledby="top-keys-heading">
                {o.topKeys.slice(0, TOP_SHOWN).map((k) => (
                  <li key={k.keyId}>
                    <a href={`#key-${k.keyId}`} class="key-link truncate" title={k.name} aria-haspopup="dialog" onClick={(e) => (e.preventDefault(), onOpenKey({ id: k.keyId, name: k.name, hint: k.hint, status: k.status }))}>
                      {k.name}
                    </a>
                    <span class="muted">
                      {formatCount(k.valid)}
                      {k.failed ? `, ${formatCount(k.failed)} refused` : ''}
                    </span>
                  </li>
                ))}
              </ol>
            </div>
          ) : null}
        </div>
      ) : null}
    </section>
  );
}
