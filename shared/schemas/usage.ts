import { z } from 'zod';
import { PublicIdSchema, TeamIdSchema } from './common';
import { KeyStatusSchema } from './key';

/**
 * Usage analytics: how often each key was presented to the verify API, by
 * outcome. Counts are kept per key and UTC hour; `24h` answers in hourly
 * buckets (the current hour and the 23 before it), `7d` and `30d` in daily
 * buckets (UTC days, today included).
 */
export const UsageRangeSchema = z.enum(['24h', '7d', '30d']);
export type UsageRange = z.infer<typeof UsageRangeSchema>;

/** The failures a stored key can have: the key exists but no longer works. */
export const FailedCountsSchema = z.object({ REVOKED: z.number(), DISABLED: z.number(), EXPIRED: z.number() });
export type FailedCounts = z.infer<typeof FailedCountsSchema>;

/** Calls of a working key that were turned down: by a rate limit, for want of credits, or by the key's policy. */
export const DeniedCountsSchema = z.object({
  RATE_LIMITED: z.number(),
  USAGE_EXCEEDED: z.number(),
  FORBIDDEN: z.number(),
  INSUFFICIENT_PERMISSIONS: z.number(),
});
export type DeniedCounts = z.infer<typeof DeniedCountsSchema>;

export const UsageBucketSchema = z.object({
  /** Start of the bucket (an hour or a UTC day). */
  at: z.date(),
  valid: z.number(),
  failed: FailedCountsSchema,
  denied: DeniedCountsSchema,
  /** Distinct source addresses seen in the bucket (see `distinctIpsCapped`). */
  distinctIps: z.number(),
});
export type UsageBucket = z.infer<typeof UsageBucketSchema>;

export const KeyUsageInput = z.object({ teamId: TeamIdSchema, keyId: PublicIdSchema, range: UsageRangeSchema.default('24h') });

/** The last attempt that failed, for "still being tried from 203.0.113.5". */
export const LastFailureSchema = z.object({
  at: z.date(),
  code: z.enum(['REVOKED', 'DISABLED', 'EXPIRED']),
  ip: z.string().nullable(),
  userAgent: z.string().nullable(),
});

export const KeyUsageSchema = z.object({
  keyId: PublicIdSchema,
  range: UsageRangeSchema,
  bucket: z.enum(['hour', 'day']),
  /** Every bucket of the range, oldest first, empty ones included. */
  buckets: z.array(UsageBucketSchema),
  totals: z.object({ valid: z.number(), failed: FailedCountsSchema, denied: DeniedCountsSchema }),
  /** Distinct source addresses over the whole range. */
  distinctIps: z.number(),
  /** True when a bucket had more addresses than are kept per key and hour: `distinctIps` is then a lower bound. */
  distinctIpsCapped: z.boolean(),
  /** The last valid use: within the retention period, or the key's own "last used" (then without address). */
  lastUsedAt: z.date().nullable(),
  lastIp: z.string().nullable(),
  lastUserAgent: z.string().nullable(),
  lastFailure: LastFailureSchema.nullable(),
});
export type KeyUsage = z.infer<typeof KeyUsageSchema>;

/** For bulk confirmations: "N of the selected keys were used in the last 24 h". */
export const KeyUsageSummaryInput = z.object({
  teamId: TeamIdSchema,
  keyIds: z.array(PublicIdSchema).min(1, 'choose at least one key').max(1000, 'at most 1000 keys at once'),
});
export const KeyUsageSummarySchema = z.object({
  /** One entry per requested key the caller may see, in request order; others are left out (like nonexistent keys). */
  keys: z.array(z.object({ keyId: PublicIdSchema, last24h: z.number(), lastUsedAt: z.date().nullable(), lastIp: z.string().nullable() })),
  /** How many of them had at least one valid use in the last 24 h. */
  usedLast24h: z.number(),
  /** Their valid uses in the last 24 h, together. */
  totalLast24h: z.number(),
});
export type KeyUsageSummary = z.infer<typeof KeyUsageSummarySchema>;

export const UsageOverviewInput = z.object({ teamId: TeamIdSchema, range: UsageRangeSchema.default('24h') });

export const UsageOverviewSchema = z.object({
  range: UsageRangeSchema,
  bucket: z.enum(['hour', 'day']),
  buckets: z.array(UsageBucketSchema.omit({ distinctIps: true })),
  totals: z.object({ valid: z.number(), failed: FailedCountsSchema, denied: DeniedCountsSchema }),
  /** Keys with at least one valid use in the range. */
  keysUsed: z.number(),
  /** The most used keys of the range (valid uses), at most 10. */
  topKeys: z.array(
    z.object({
      keyId: PublicIdSchema,
      name: z.string(),
      hint: z.string(),
      status: KeyStatusSchema,
      valid: z.number(),
      failed: z.number(),
    }),
  ),
  /** Working keys (the list's Enabled: not disabled, revoked or expired) that were never used. */
  neverUsed: z.number(),
  /** Working keys the Idle filter finds at IDLE_DAYS (shared/idle.ts): never used included, once that old. */
  unusedFor30Days: z.number(),
});
export type UsageOverview = z.infer<typeof UsageOverviewSchema>;
