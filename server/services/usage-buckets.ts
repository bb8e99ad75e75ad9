import type { DeniedCounts, FailedCounts, UsageRange } from '../../shared/schemas/usage';
import { DAY_MS, HOUR_MS } from '../../shared/time';

/** The time arithmetic of usage analytics. */

export const floorHour = (t: number) => t - (((t % HOUR_MS) + HOUR_MS) % HOUR_MS);
export const floorDay = (t: number) => t - (((t % DAY_MS) + DAY_MS) % DAY_MS);

export interface RangeBuckets {
  bucket: 'hour' | 'day';
  size: number;
  /** Start of the first bucket; also the lower bound of what is read. */
  start: number;
  count: number;
}

/** `24h`: the current hour and the 23 before it. `7d`, `30d`: UTC days, today included. */
export function rangeBuckets(range: UsageRange, now: Date): RangeBuckets {
  const t = now.getTime();
  if (range === '24h') return { bucket: 'hour', size: HOUR_MS, start: floorHour(t) - 23 * HOUR_MS, count: 24 };
  const days = range === '7d' ? 7 : 30;
  return { bucket: 'day', size: DAY_MS, start: floorDay(t) - (days - 1) * DAY_MS, count: days };
}

/** Where the rows' `last24h` and `last7d` start. */
export const last24hStart = (now: Date) => rangeBuckets('24h', now).start;
export const last7dStart = (now: Date) => rangeBuckets('7d', now).start;

export const noFailures = (): FailedCounts => ({ REVOKED: 0, DISABLED: 0, EXPIRED: 0 });

export function addFailures(into: FailedCounts, d: { revoked: number; disabled: number; expired: number }): void {
  into.REVOKED += d.revoked;
  into.DISABLED += d.disabled;
  into.EXPIRED += d.expired;
}

export const failedTotal = (f: FailedCounts) => f.REVOKED + f.DISABLED + f.EXPIRED;

export const noDenials = (): DeniedCounts => ({ RATE_LIMITED: 0, USAGE_EXCEEDED: 0, FORBIDDEN: 0, INSUFFICIENT_PERMISSIONS: 0 });

/** Documents from before limits or policies lack the fields: 0. */
export function addDenials(
  into: DeniedCounts,
  d: { rateLimited?: number; usageExceeded?: number; forbidden?: number; insufficientPermissions?: number },
): void {
  into.RATE_LIMITED += d.rateLimited ?? 0;
  into.USAGE_EXCEEDED += d.usageExceeded ?? 0;
  into.FORBIDDEN += d.forbidden ?? 0;
  into.INSUFFICIENT_PERMISSIONS += d.insufficientPermissions ?? 0;
}

export const deniedTotal = (d: DeniedCounts) => d.RATE_LIMITED + d.USAGE_EXCEEDED + d.FORBIDDEN + d.INSUFFICIENT_PERMISSIONS;
