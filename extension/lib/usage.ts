import type { KeyRow } from '../../shared/schemas/key';
import type { DeniedCounts, FailedCounts, KeyUsageSummary } from '../../shared/schemas/usage';
import { relative } from './format';
import { formatCount, pick, plural } from './plural';
import { DAY_MS } from '../../shared/time';
import { IDLE_DAYS } from '../../shared/idle';

/**
 * The sentences that tell an admin what a revoke or disable will break, from the server's usage
 * numbers (keys.usageSummary, keys.usage, keys.list rows); never estimated here.
 */

export type UseEntry = Pick<KeyUsageSummary['keys'][number], 'last24h' | 'lastIp'> & { lastUsedAt: Date | string | null };

const time = (d: Date | string) => (d instanceof Date ? d : new Date(d)).getTime();

/** "2 minutes ago", "under a minute ago"; a time a little ahead of this clock counts as now. */
export function ago(d: Date | string, now = Date.now()): string {
  const text = relative(new Date(Math.min(time(d), now)), now);
  return text === 'just now' ? 'under a minute ago' : text;
}

/** "once", "3,412 times" */
export const times = (n: number) => (n === 1 ? 'once' : `${formatCount(n)} times`);

/**
 * One key: "Used 3,412 times in the last 24 h, last 2 minutes ago from 203.0.113.5.",
 * "Not used in the last 24 h (last used 3 days ago).", "Not used in 30 days." or "Never used.".
 */
export function recentUse(e: UseEntry, now = Date.now()): string {
  if (e.last24h > 0) {
    const last = e.lastUsedAt ? `, last ${ago(e.lastUsedAt, now)}${e.lastIp ? ` from ${e.lastIp}` : ''}` : '';
    return `Used ${times(e.last24h)} in the last 24 h${last}.`;
  }
  if (!e.lastUsedAt) return 'Never used.';
  const age = now - time(e.lastUsedAt);
  if (age >= IDLE_DAYS * DAY_MS) return `Not used in ${IDLE_DAYS} days.`;
  // "Last used" is written apart from the counts (which land within seconds): say only what is known.
  if (age < DAY_MS) return `Last used ${ago(e.lastUsedAt, now)}.`;
  return `Not used in the last 24 h (last used ${ago(e.lastUsedAt, now)}).`;
}

/** Several keys: "12 of the 40 selected keys were used in the last 24 h (3,412 uses together)." One key reads as `recentUse`. */
export function selectionUse(summary: Pick<KeyUsageSummary, 'keys' | 'usedLast24h' | 'totalLast24h'>, selected: number, what = 'selected', now = Date.now()): string | null {
  if (summary.keys.length === 0) return null;
  if (selected === 1) return recentUse(summary.keys[0]!, now);
  const used = summary.usedLast24h;
  const together = used > 1 ? ` (${plural(summary.totalLast24h, 'use')} together)` : used === 1 ? ` (${plural(summary.totalLast24h, 'use')})` : '';
  if (used === 0) return `None of the ${formatCount(selected)} ${what} keys ${pick(selected, 'was', 'were')} used in the last 24 h.`;
  if (used === selected) return `${selected === 2 ? 'Both' : `All ${formatCount(selected)}`} ${what} keys were used in the last 24 h${together}.`;
  return `${formatCount(used)} of the ${plural(selected, `${what} key`)} ${pick(used, 'was', 'were')} used in the last 24 h${together}.`;
}

/** What a key that no longer works is, for "tried 5 times since revoked". */
export function stoppedAs(row: Pick<KeyRow, 'status' | 'revokedReason'>): string {
  if (row.status === 'disabled') return 'disabled';
  return row.revokedReason === 'expired' ? 'it expired' : 'revoked';
}

/** "tried 5 times since revoked, last 2 hours ago" (the "last" part when the time of the last failure is known). */
export function triedAfterStop(row: Pick<KeyRow, 'status' | 'revokedReason' | 'triedAfterRevoke'>, lastFailureAt?: Date | string | null, now = Date.now()): string | null {
  if (row.status === 'enabled' || row.triedAfterRevoke <= 0) return null;
  return `tried ${times(row.triedAfterRevoke)} since ${stoppedAs(row)}${lastFailureAt ? `, last ${ago(lastFailureAt, now)}` : ''}`;
}

export const failedTotal = (f: FailedCounts) => f.REVOKED + f.DISABLED + f.EXPIRED;
/** Calls of a working key turned down by its limits (rate limit, credits) or its policy. */
export const deniedTotal = (d: DeniedCounts | undefined) => (d ? d.RATE_LIMITED + d.USAGE_EXCEEDED + d.FORBIDDEN + d.INSUFFICIENT_PERMISSIONS : 0);

/** "12: 7 rate-limited, 5 out of credits", or null when nothing was denied. */
export function deniedSummary(d: DeniedCounts | undefined): string | null {
  const n = deniedTotal(d);
  if (!d || n === 0) return null;
  const parts = [
    [d.RATE_LIMITED, 'rate-limited'],
    [d.USAGE_EXCEEDED, 'out of credits'],
    [d.FORBIDDEN, 'from a refused address or origin'],
    [d.INSUFFICIENT_PERMISSIONS, 'without the permissions asked for'],
  ] as const;
  return `${formatCount(n)}: ${parts.filter(([c]) => c > 0).map(([c, what]) => `${formatCount(c)} ${what}`).join(', ')}`;
}

const dayFmt = new Intl.DateTimeFormat(undefined, { month: 'short', day: 'numeric', timeZone: 'UTC' });
const hourFmt = new Intl.DateTimeFormat(undefined, { hour: '2-digit', minute: '2-digit' });

/** A bucket's label: daily buckets are UTC days, hourly ones read in local time. */
export const bucketLabel = (at: Date | string, bucket: 'hour' | 'day') => (bucket === 'day' ? dayFmt : hourFmt).format(new Date(time(at)));
