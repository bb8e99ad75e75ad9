import { LeakDetail } from '../../components/LeakNote';
import { KeyLimitsCard } from '../../components/KeyLimitsCard';
import { useEffect, useRef } from 'preact/hooks';
import type { KeyRow } from '../../../shared/schemas/key';
import { AsyncStatus } from '../../components/AsyncStatus';
import { KeyPolicy } from '../../components/KeyPolicy';
import { StatusTag } from '../../components/StatusTag';
import { UsageChart } from '../../components/UsageChart';
import { useApi } from '../../hooks/session-context';
import { useAsync } from '../../hooks/use-async';
import type { Api, RouterOutputs } from '../../lib/api';
import { formatDateTime, reasonLabel, roleLabel } from '../../lib/format';
import { readPages } from '../../lib/pages';
import { formatCount, plural } from '../../lib/plural';
import { ago, deniedSummary, failedTotal, triedAfterStop } from '../../lib/usage';

/** The key the panel is about: a table row, or a key named by the team overview (fewer fields). */
export type KeyRef = Pick<KeyRow, 'id' | 'name' | 'hint' | 'status'> & Partial<Pick<KeyRow, 'revokedReason' | 'disabledReason' | 'triedAfterRevoke'>>;
type AuditItem = RouterOutputs['audit']['list']['items'][number];

/** A whole row (from a key list) carries the key's policy; a key named by the overview does not. */
const isRow = (k: KeyRef): k is KeyRow => 'restrictions' in k && 'generatedBy' in k;

/** History is looked for in this many of the newest audit entries (two pages of the API's largest). */
const AUDIT_PAGES = 2;
const AUDIT_PAGE = 200;

const ACTIONS: Record<string, string> = {
  'key.created': 'Generated',
  'key.revoked': 'Revoked',
  'key.disabled': 'Disabled',
  'key.enabled': 'Enabled',
  'policy.applied': 'Expiry shortened by the policy',
  'key.leaked': 'Reported leaked',
  'canary.triggered': 'Canary used',
  'key.rotated': 'Rotated',
  'key.updated': 'Policy changed',
};

/**
 * A key's details in a side panel (a modal <dialog>): 30 days of valid and refused uses, the last
 * address and user agent, the last refused try, and, for admins, the key's history from the audit log.
 */
export function KeyDetails({ teamId, keyRef, admin, onClose, onChanged }: { teamId: string; keyRef: KeyRef; admin: boolean; onClose(): void; onChanged?(row: KeyRow): void }) {
  const api = useApi();
  const ref = useRef<HTMLDialogElement>(null);
  useEffect(() => {
    const dialog = ref.current;
    if (dialog && !dialog.open) dialog.showModal();
  }, []);
  const usage = useAsync(() => api.keys.usage.query({ teamId, keyId: keyRef.id, range: '30d' }), [api, teamId, keyRef.id]);
  const history = useAsync(admin ? () => keyHistory(api, teamId, keyRef.id) : null, [api, teamId, keyRef.id, admin]);
  const u = usage.data;
  const now = Date.now();
  const tried = keyRef.triedAfterRevoke !== undefined ? triedAfterStop({ status: keyRef.status, revokedReason: keyRef.revokedReason ?? null, triedAfterRevoke: keyRef.triedAfterRevoke }, u?.lastFailure?.at, now) : null;

  return (
    <dialog ref={ref} class="dialog side-panel" aria-labelledby="key-details-title" onClose={onClose}>
      <div class="side-panel-head">
        <h2 id="key-details-title" class="truncate" title={keyRef.name}>
          {keyRef.name}
        </h2>
        <button type="button" class="btn btn-icon" aria-label="Close the key details" onClick={() => ref.current?.close()}>
          ×
        </button>
      </div>
      <p class="row">
        <span class="mono">{keyRef.hint}</span>
        <StatusTag row={{ status: keyRef.status, revokedReason: keyRef.revokedReason ?? null, disabledReason: keyRef.disabledReason ?? null }} />
        {tried ? <span class="tried-after">{tried}</span> : null}
      </p>

      <h3>Last 30 days</h3>
      <AsyncStatus state={usage} loading="Reading usage…" />
      {u ? (
        <>
          <UsageChart buckets={u.buckets} bucket={u.bucket} label={`Uses of “${keyRef.name}” per day, last 30 days`} />
          <dl class="details">
            <dt>Valid uses</dt>
            <dd>{formatCount(u.totals.valid)}</dd>
            <dt>Refused</dt>
            <dd>{refused(u.totals.failed)}</dd>
            {deniedSummary(u.totals.denied) ? (
              <>
                <dt>Denied by limits or policy</dt>
                <dd>{deniedSummary(u.totals.denied)}</dd>
              </>
            ) : null}
            {u.distinctIps > 0 ? (
              <>
                <dt>Seen from</dt>
                <dd>
                  {u.distinctIpsCapped ? 'at least ' : ''}
                  {plural(u.distinctIps, 'address', 'addresses')}
                </dd>
              </>
            ) : null}
            <dt>Last used</dt>
            <dd>{u.lastUsedAt ? `${ago(u.lastUsedAt, now)} (${formatDateTime(u.lastUsedAt)})${u.lastIp ? ` from ${u.lastIp}` : ''}` : 'Never'}</dd>
            {u.lastUserAgent ? (
              <>
                <dt>User agent</dt>
                <dd class="mono">{u.lastUserAgent}</dd>
              </>
            ) : null}
            {u.lastFailure ? (
              <>
                <dt>Last refused</dt>
                <dd>
                  {ago(u.lastFailure.at, now)} ({formatDateTime(u.lastFailure.at)}), {u.lastFailure.code}
                  {u.lastFailure.ip ? ` from ${u.lastFailure.ip}` : ''}
                  {u.lastFailure.userAgent ? <span class="mono block">{u.lastFailure.userAgent}</span> : null}
                </dd>
              </>
            ) : null}
          </dl>
        </>
      ) : null}

      {isRow(keyRef) ? (
        <KeyPolicy teamId={teamId} row={keyRef} admin={admin} onSaved={(row) => onChanged?.(row)} />
      ) : (
        <p class="hint">Open the key from the list to see and change its policy.</p>
      )}

      <KeyLimitsCard teamId={teamId} keyId={keyRef.id} row={keyRef} admin={admin} />

      {admin ? (
        <>
          <h3>History</h3>
          <AsyncStatus state={history} loading="Reading the audit log…" />
          {history.data ? <History entries={history.data.entries} complete={history.data.complete} /> : null}
        </>
      ) : null}
    </dialog>
  );
}

function History({ entries, complete }: { entries: AuditItem[]; complete: boolean }) {
  const scope = complete ? '' : ` (looked through the newest ${formatCount(AUDIT_PAGES * AUDIT_PAGE)} entries of the audit log)`;
  if (entries.length === 0) return <p class="empty">Nothing about this key in the audit log{scope}.</p>;
  return (
    <>
      <ol class="history">
        {entries.map((e) => {
          // Only a revocation's reason reads right on its own ("revoked in bulk", "revoke all").
          const reason = e.action === 'key.revoked' && typeof e.details?.reason === 'string' ? ` (${reasonLabel(e.details.reason)})` : '';
          return (
            <li key={e.id}>
              <time dateTime={new Date(e.at).toISOString()}>{formatDateTime(e.at)}</time> <strong>{ACTIONS[e.action] ?? e.action}</strong>
              {reason} by {e.actor.email ?? 'the system'}
              {e.actor.role ? ` (${roleLabel(e.actor.role)})` : ''}
              {e.ip ? <span class="muted"> from {e.ip}</span> : null}
              <LeakDetail entry={e} />
              {e.targets.count > 1 ? <span class="muted">, with {plural(e.targets.count - 1, 'other key')}</span> : null}
            </li>
          );
        })}
      </ol>
      {scope ? <p class="hint">Newest first{scope}.</p> : null}
    </>
  );
}

const refused = (f: { REVOKED: number; DISABLED: number; EXPIRED: number }) => {
  const n = failedTotal(f);
  if (n === 0) return 'None';
  const parts = [
    [f.REVOKED, 'revoked'],
    [f.DISABLED, 'disabled'],
    [f.EXPIRED, 'expired'],
  ] as const;
  const seen = parts.filter(([c]) => c > 0);
  if (seen.length === 1) return `${formatCount(n)}, all while ${seen[0]![1]}`;
  return `${formatCount(n)}: ${seen.map(([c, what]) => `${formatCount(c)} while ${what}`).join(', ')}`;
};

/** The audit entries that name the key among their targets, from the newest AUDIT_PAGES pages (audit.list has no key filter). */
async function keyHistory(api: Api, teamId: string, keyId: string): Promise<{ entries: AuditItem[]; complete: boolean }> {
  let pages = 0;
  const read = await readPages((cursor) => api.audit.list.query({ teamId, cursor, limit: AUDIT_PAGE }), () => ++pages >= AUDIT_PAGES);
  return { entries: read.items.filter((e) => e.targets.ids.includes(keyId)), complete: read.cursor === null };
}
