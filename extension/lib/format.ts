import type { Role } from '../../shared/schemas/common';
import type { KeyRow } from '../../shared/schemas/key';
import { plural } from '../../shared/plural';
import { DAY_MS, HOUR_MS, MINUTE_MS } from '../../shared/time';

/** Display helpers shared by every page and by notifications. */

const dateFmt = new Intl.DateTimeFormat(undefined, { year: 'numeric', month: 'short', day: 'numeric' });
const dateTimeFmt = new Intl.DateTimeFormat(undefined, { year: 'numeric', month: 'short', day: 'numeric', hour: '2-digit', minute: '2-digit' });

const toDate = (d: Date | string) => (d instanceof Date ? d : new Date(d));

export function formatDate(d: Date | string | null | undefined, empty = '—'): string {
  return d ? dateFmt.format(toDate(d)) : empty;
}

export function formatDateTime(d: Date | string | null | undefined, empty = '—'): string {
  return d ? dateTimeFmt.format(toDate(d)) : empty;
}

/** "in 3 days", "2 hours ago": for expiry and last-used columns. */
export function relative(d: Date | string | null | undefined, now = Date.now()): string {
  if (!d) return '';
  const diff = toDate(d).getTime() - now;
  const abs = Math.abs(diff);
  const units: [number, string, string][] = [
    [DAY_MS, 'day', 'days'],
    [HOUR_MS, 'hour', 'hours'],
    [MINUTE_MS, 'minute', 'minutes'],
  ];
  for (const [ms, one, other] of units) {
    if (abs >= ms) {
      const text = plural(Math.round(abs / ms), one, other);
      return diff > 0 ? `in ${text}` : `${text} ago`;
    }
  }
  return diff > 0 ? 'in under a minute' : 'just now';
}


/** A live key expiring within `warnDays` from now (highlighted in the dashboard table and the popup). */
export function expiresSoon(row: Pick<KeyRow, 'status' | 'expiresAt'>, warnDays: number | null | undefined, now = Date.now()): boolean {
  if (!warnDays || row.status === 'revoked' || !row.expiresAt) return false;
  const left = toDate(row.expiresAt).getTime() - now;
  return left > 0 && left <= warnDays * DAY_MS;
}

export const ROLE_LABELS: Record<Role, string> = { super_admin: 'Super admin', admin: 'Admin', member: 'Member' };

export function roleLabel(role: Role | null | undefined): string {
  return role ? ROLE_LABELS[role] : 'Former member';
}

const REASONS: Record<string, string> = {
  manual: 'revoked individually',
  bulk: 'revoked in bulk',
  revoke_all: 'revoke all',
  expired: 'expired',
  policy: 'expiry policy',
  owner_removed: 'owner removed from team',
  leaked: 'leaked',
  rotated: 'rotated (grace ended)',
  idle: 'unused too long',
};

export function reasonLabel(reason: string | null | undefined): string {
  return reason ? (REASONS[reason] ?? reason) : '';
}

export function statusLabel(row: Pick<KeyRow, 'status'>): string {
  return row.status.toUpperCase();
}
