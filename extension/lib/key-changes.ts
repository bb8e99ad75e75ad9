import type { KeyCounts, KeyRow, KeyStatus, RevokedReason } from '../../shared/schemas/key';

/**
 * What an action did, applied to the rows and counts on screen at once, so no
 * row reads ENABLED after it was revoked while the list reloads. The reload
 * that follows brings the server's own answer.
 */
export type KeyChange =
  | { kind: 'revoked'; ids: string[]; reason: RevokedReason }
  | { kind: 'disabled'; ids: string[] }
  | { kind: 'enabled'; ids: string[] }
  /** "Select all N matching": every row on screen matches the filters the action used. */
  | { kind: 'revokedMatching'; view: KeyStatus[] }
  | { kind: 'disabledMatching'; view: KeyStatus[] }
  | { kind: 'revokedAll' };

export function applyKeyChange(rows: KeyRow[], counts: KeyCounts | null, change: KeyChange, now = new Date()): { rows: KeyRow[]; counts: KeyCounts | null } {
  const next = counts ? { ...counts } : null;
  const move = (from: KeyStatus, to: KeyStatus, n = 1) => {
    if (!next || from === to) return;
    next[from] -= n;
    next[to] += n;
  };
  const revoke = (row: KeyRow, reason: RevokedReason): KeyRow => ({ ...row, status: 'revoked', revokedReason: reason, revokedAt: now });
  const ids = 'ids' in change ? new Set(change.ids) : null;

  switch (change.kind) {
    case 'revoked':
      return {
        rows: rows.map((r) => (ids!.has(r.id) && r.status !== 'revoked' ? (move(r.status, 'revoked'), revoke(r, change.reason)) : r)),
        counts: next,
      };
    case 'disabled':
      return {
        rows: rows.map((r) => (ids!.has(r.id) && r.status === 'enabled' ? (move('enabled', 'disabled'), { ...r, status: 'disabled', disabledReason: 'manual' }) : r)),
        counts: next,
      };
    case 'enabled':
      return {
        rows: rows.map((r) => (ids!.has(r.id) && r.status === 'disabled' ? (move('disabled', 'enabled'), { ...r, status: 'enabled', disabledReason: null }) : r)),
        counts: next,
      };
    case 'revokedMatching':
      for (const s of ['enabled', 'disabled'] as const) if (change.view.includes(s) && next) move(s, 'revoked', next[s]);
      return { rows: rows.map((r) => (r.status !== 'revoked' && change.view.includes(r.status) ? revoke(r, 'bulk') : r)), counts: next };
    case 'disabledMatching':
      if (change.view.includes('enabled') && next) move('enabled', 'disabled', next.enabled);
      return { rows: rows.map((r) => (r.status === 'enabled' ? { ...r, status: 'disabled', disabledReason: 'manual' } : r)), counts: next };
    case 'revokedAll':
      if (next) {
        move('enabled', 'revoked', next.enabled);
        move('disabled', 'revoked', next.disabled);
      }
      return { rows: rows.map((r) => (r.status === 'revoked' ? r : revoke(r, 'revoke_all'))), counts: next };
  }
}

/** How many keys the current view holds: the counts of the statuses ticked under View. */
export function viewTotal(counts: KeyCounts | null, view: KeyStatus[]): number | null {
  return counts ? view.reduce((n, s) => n + counts[s], 0) : null;
}
