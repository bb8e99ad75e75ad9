import type { KeyRow } from '../../shared/schemas/key';
import { reasonLabel } from '../lib/format';

/** ENABLED / DISABLED / REVOKED; an expired key is REVOKED with reason "expired". */
export function StatusTag({ row }: { row: Pick<KeyRow, 'status' | 'revokedReason' | 'disabledReason'> }) {
  const reason = row.status === 'revoked' ? reasonLabel(row.revokedReason) : row.status === 'disabled' ? reasonLabel(row.disabledReason) : '';
  return (
    <span class={`tag tag-${row.status}`} title={reason || undefined}>
      {row.status.toUpperCase()}
      {row.status === 'revoked' && row.revokedReason === 'expired' ? <span class="tag-note"> · expired</span> : null}
    </span>
  );
}
