import type { KeyRow } from '../../shared/schemas/key';
import { expiresSoon, formatDate, relative } from '../lib/format';
import { ConfirmButton } from './ConfirmButton';
import { StatusTag } from './StatusTag';
import { UsageImpact } from './UsageImpact';

/**
 * The caller's own keys in a compact list (popup), each live one with Revoke; expiring ones in
 * amber. `impact` tells, in the question, what revoking would break ("Used 12 times in the last 24 h").
 */
export function MyKeys(props: { rows: KeyRow[]; warnDays?: number | null; busyIds?: Set<string>; onRevoke?: (row: KeyRow) => void; impact?: (row: KeyRow) => Promise<string | null> }) {
  const { rows } = props;
  if (rows.length === 0) return <p class="empty">You have no keys in this team yet.</p>;
  const now = Date.now();
  return (
    <ul class="key-list" aria-label="My keys">
      {rows.map((row) => {
        const soon = expiresSoon(row, props.warnDays, now);
        const busy = props.busyIds?.has(row.id) ?? false;
        return (
          <li key={row.id} class={busy ? 'row-busy' : undefined} aria-busy={busy ? 'true' : undefined}>
            <div class="key-list-main">
              <span class="key-name" title={row.name}>{row.name}</span>
              <span class="mono hint-text">{row.hint}</span>
            </div>
            <div class="key-list-meta">
              <StatusTag row={row} />
              <span class={`expiry${soon ? ' expiring-soon' : ''}`} title={row.expiresAt ? formatDate(row.expiresAt) : undefined}>
                {row.status === 'revoked' ? formatDate(row.revokedAt ?? row.expiresAt) : row.expiresAt ? `expires ${relative(row.expiresAt, now)}` : 'no expiry'}
              </span>
            </div>
            {props.onRevoke && row.status !== 'revoked' ? (
              <ConfirmButton
                class="btn btn-small btn-danger-outline"
                label="Revoke"
                ariaLabel={`Revoke ${row.name}`}
                confirmLabel="Revoke key"
                busy={busy}
                question={
                  <>
                    Revoke “{row.name}”? Anything using it stops working at once.
                    {props.impact ? <UsageImpact load={() => props.impact!(row)} /> : null}
                  </>
                }
                onConfirm={() => props.onRevoke!(row)}
              />
            ) : null}
          </li>
        );
      })}
    </ul>
  );
}
