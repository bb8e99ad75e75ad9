import type { NotificationKind } from '../../shared/schemas/notification';

/**
 * Document shapes of what the server tells people and counts: notices, the outbox, "happened
 * once" marks and usage totals (split from collections.ts, which re-exports them).
 */

/** `_id` is derived from what caused it (action + owner, key + threshold), so a retry never duplicates it. */
export interface NotificationDoc {
  _id: string;
  userId: string;
  teamId: string;
  teamName: string;
  kind: NotificationKind;
  keys: { id: string; name: string; hint: string; expiresAt: Date | null }[];
  /** The listed keys that no longer work: what the badge's red count is made of. */
  revokedKeyIds: string[];
  actor: { userId: string | null; email: string | null } | null;
  reason: string | null;
  thresholdDays: number | null;
  message: string;
  createdAt: Date;
  readAt: Date | null;
}

/** `_id` is the message's idempotency key (and Message-ID). */
export interface OutboxDoc {
  _id: string;
  teamId: string | null;
  userId: string | null;
  /**
   * Absent for email. `webhook`: a webhook delivery riding the same claims and retries, where `to`
   * is the endpoint id, `subject` the event type and `text` the event's JSON body.
   */
  channel?: 'webhook';
  to: string;
  subject: string;
  text: string;
  html: string;
  state: 'pending' | 'sent' | 'failed';
  attempts: number;
  nextAttemptAt: Date;
  leaseUntil: Date | null;
  leaseOwner: string | null;
  lastError: string | null;
  createdAt: Date;
  sentAt: Date | null;
}

/**
 * "This happened once" markers (`warn:<keyId>:<days>`, `expired:<keyId>`),
 * inserted by upsert so only one writer wins; `batch:<id>` documents hold a
 * background pass's work until it is done, so a crash cannot lose it.
 */
export interface MarkDoc {
  _id: string;
  at: Date;
  batchId?: string;
  state?: 'pending';
  items?: { markId: string; keyId: string; teamId: string; ownerId: string; kind: 'warn' | 'expired'; days: number }[];
  /** `used-after-revoke:` marks: the tries already reported in the hour the notice was sent. */
  seen?: { keyId: string; tries: number }[];
}

/** How many verifies of one key (or of none) in one hour ended each way. */
export interface VerifyCounts {
  valid: number;
  revoked: number;
  disabled: number;
  expired: number;
  malformed: number;
  notFound: number;
  /** Refused by a rate limit or for want of credits (issue 25); absent on documents from before them. */
  rateLimited?: number;
  usageExceeded?: number;
}

/**
 * The totals of one key (or, with `keyId` null, of every unattributable verify) in one UTC hour,
 * `_id` `${keyId ?? '-'}:${hour ms}`, summed over every server instance. A flush adds its counts
 * with `$inc` in an update whose filter excludes documents that already list its flush id, and
 * which records the id (`flushes`, the last FLUSHES_KEPT): a retried flush never counts twice.
 * (Earlier versions wrote superseding per-instance snapshots; migrate.ts folds them in.)
 */
export interface UsageDoc extends VerifyCounts {
  _id: string;
  teamId: string | null;
  keyId: string | null;
  hour: Date;
  /** Distinct source addresses: at most USAGE_MAX_IPS from each instance; `ipsCapped` when one saw more. */
  ips: string[];
  ipsCapped: boolean;
  /**
   * The latest valid use and failure seen by each instance (by the instance part of its flush ids),
   * set in the same update as the counts: an instance's own latest only moves forward, so no
   * condition is needed, and a read takes the latest of them.
   */
  lastValid: Record<string, { at: Date; ip: string | null; ua: string | null }>;
  lastFail: Record<string, { at: Date; code: 'REVOKED' | 'DISABLED' | 'EXPIRED'; ip: string | null; ua: string | null }>;
  /** The ids of the last flushes that added to this document. */
  flushes: string[];
  /** Verifications refused by the key's policy (absent before policies existed: 0). */
  forbidden?: number;
  insufficientPermissions?: number;
  /**
   * What verifications that reached the key's policy asked with (usage-tally.ts `RecordedCall`), by
   * a signature of the combination, and how many asked so; `callsCapped`: those past the caps.
   */
  calls?: Record<string, { ip: string | null; origin: string | null; permissions: string | null }>;
  callCounts?: Record<string, number>;
  callsCapped?: number;
}
