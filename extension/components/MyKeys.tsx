import type { KeyRow } from '../../shared/schemas/key';
import { formatDate, relative } from '../lib/format';
import { StatusTag } from './StatusTag';

/** The caller's own keys in a compact list (popup). */
export function MyKeys({ rows }: { rows: KeyRow[] }) {
  if (rows.length === 0) return <p class="empty">You have no keys in this team yet.</p>;
  return (
    <ul class="key-list" aria-label="My keys">
      {rows.map((row) => (
        <li key={row.id}>
          <div class="key-list-main">
            <span class="key-name">{row.name}</span>
            <span class="mono hint-text">{row.hint}</span>
          </div>
          <div class="key-list-meta">
            <StatusTag row={row} />
            <span class="expiry" title={row.expiresAt ? formatDate(row.expiresAt) : undefined}>
              {row.status === 'revoked' ? formatDate(row.revokedAt) : row.expiresAt ? `expires ${relative(row.expiresAt)}` : 'no expiry'}
            </span>
          </div>
        </li>
      ))}
    </ul>
  );
}
