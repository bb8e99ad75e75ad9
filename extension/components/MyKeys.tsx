import type { KeyRow } from '../../shared/schemas/key';
import { expiresSoon, formatDate, relative } from '../lib/format';
import { ConfirmButton } from './ConfirmButton';
import { useState } from 'preact/hooks';
import { StatusTag } from './StatusTag';
import { IdleNote } from './IdleNote';
import { canRotate, RotatePanel, RotationNote } from './RotateKey';
import { UsageImpact } from './UsageImpact';

/**
 * The caller's own keys in a compact list (popup), each live one with Revoke; expiring ones in
 * amber. `impact` tells, in the question, what revoking would break ("Used 12 times in the last 24 h").
 */
export function MyKeys(props: {
  rows: KeyRow[];
  warnDays?: number | null;
  busyIds?: Set<string>;
  onRevoke?: (row: KeyRow) => void;
  impact?: (row: KeyRow) => Promise<string | null>;
  /** Offers Rotate next to Revoke; `onRotated` once the new key is put away. */
  rotate?: { teamId: string; onRotated: () => void };
}) {
  const { rows } = props;
  const [rotatingId, setRotatingId] = useState<string | null>(null);
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
              <RotationNote row={row} />
              <IdleNote row={row} now={now} />
              <span class={`expiry${soon ? ' expiring-soon' : ''}`} title={row.expiresAt ? formatDate(row.expiresAt) : undefined}>
                {row.status === 'revoked' ? formatDate(row.revokedAt ?? row.expiresAt) : row.expiresAt ? `expires ${relative(row.expiresAt, now)}` : 'no expiry'}
              </span>
            </div>
            {props.rotate && rotatingId === row.id ? (
              <RotatePanel teamId={props.rotate.teamId} row={row} onClose={(rotated) => (setRotatingId(null), rotated ? props.rotate!.onRotated() : undefined)} />
            ) : props.rotate && canRotate(row) ? (
              <button type="button" class="btn btn-small" aria-label={`Rotate ${row.name}`} disabled={busy} onClick={() => setRotatingId(row.id)}>
                Rotate
              </button>
            ) : null}
            {props.onRevoke && row.status !== 'revoked' && rotatingId !== row.id ? (
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
