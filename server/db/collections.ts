import type { Db } from 'mongodb';
import type { DisabledReason, RevokedReason } from '../../shared/schemas/key';
import type { Role } from '../../shared/schemas/common';
import type { TeamSettings } from '../../shared/schemas/team';
import type { NotificationKind } from '../../shared/schemas/notification';

/**
 * Document shapes. Driver types never leave server/db: repos return plain objects.
 * Field names avoid `.` and a leading `$` (FerretDB v1 rejects them).
 */
export interface TeamDoc {
  _id: string;
  name: string;
  settings: TeamSettings;
  createdAt: Date;
}

export interface UserDoc {
  _id: string;
  email: string;
  name: string;
  createdAt: Date;
  /** First sign-in by emailed code; absent for accounts that have never signed in (or did so before it was recorded). */
  signedInAt?: Date | null;
}

/** `_id` is `${teamId}:${userId}`, so membership checks are `_id` look-ups. */
export interface MembershipDoc {
  _id: string;
  teamId: string;
  userId: string;
  role: Role;
  joinedAt: Date;
}

/**
 * A person's invitation to a team, `_id` `${teamId}:${userId}` like a membership, so
 * re-inviting updates the one document. `id` names this round of invitation (a new one
 * after a decline or expiry) and makes its audit records and emails idempotent.
 * An accepted invitation is kept (state `accepted`) so a repeated accept is answered
 * the same; a declined or cancelled one is deleted.
 */
export interface InvitationDoc {
  _id: string;
  id: string;
  teamId: string;
  userId: string;
  email: string;
  role: Role;
  invitedBy: { userId: string | null; email: string | null };
  state: 'pending' | 'accepted';
  createdAt: Date;
  sentAt: Date;
  expiresAt: Date;
  respondedAt: Date | null;
}

/** `_id` is HMAC-SHA256(pepper, key): verification and search-by-value are `_id` look-ups. */
export interface KeyDoc {
  _id: string;
  id: string;
  teamId: string;
  ownerId: string;
  name: string;
  nameLower: string;
  hint: string;
  status: 'enabled' | 'disabled' | 'revoked';
  disabledReason: DisabledReason | null;
  revokedReason: RevokedReason | null;
  revokedAt: Date | null;
  revokedBy: string | null;
  /** The bulk action that last changed this key (for completing interrupted actions). */
  actionId: string | null;
  createdAt: Date;
  expiresAt: Date | null;
  lastUsedAt: Date | null;
  /** When the key was last disabled (absent on keys disabled before this was recorded); read only while disabled. */
  disabledAt?: Date | null;
}

export interface SessionDoc {
  _id: string;
  userId: string;
  createdAt: Date;
  expiresAt: Date;
}

/** One per emailed code (an email may have several live codes); `_id` is random. */
export interface LoginCodeDoc {
  _id: string;
  emailHash: string;
  codeHash: string;
  expiresAt: Date;
  createdAt: Date;
}

export interface RateLimitDoc {
  _id: string;
  count: number;
  expiresAt: Date;
}

export interface AuditDoc {
  _id: string;
  teamId: string;
  at: Date;
  actor: { userId: string | null; email: string | null; role: Role | null };
  action: string;
  targets: { ids: string[]; count: number };
  details: Record<string, unknown> | null;
  ip: string | null;
  userAgent: string | null;
}

/** A bulk change is written here first, so a retry or background pass can finish it. */
export interface ActionDoc {
  _id: string;
  teamId: string;
  kind: 'revoke' | 'disable' | 'enable' | 'policy';
  reason: RevokedReason | DisabledReason | null;
  keyIds: string[] | null;
  actor: { userId: string | null; email: string | null; role: Role | null };
  ip: string | null;
  userAgent: string | null;
  details: Record<string, unknown> | null;
  state: 'pending' | 'done';
  createdAt: Date;
  completedAt: Date | null;
  result: Record<string, unknown> | null;
}

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

export interface LeaseDoc {
  _id: string;
  owner: string;
  until: Date;
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

/**
 * The authority on a key's revocation: `_id` is the key's hash, inserted once.
 * FerretDB v1 has no atomic conditional update, and its updates rewrite whole
 * documents, so a key document alone can lose a revocation to a racing write;
 * this insert cannot be won twice (see keys.repo).
 */
export interface RevocationDoc {
  _id: string;
  keyId: string;
  teamId: string;
  actionId: string;
  reason: RevokedReason;
  at: Date;
  by: string | null;
}

/**
 * One server instance's running totals for one key (or, with `keyId` null, for
 * every unattributable verify) in one UTC hour, as of one flush. Each flush
 * inserts a new document (`_id` `${instance}:${seq}:${keyId ?? '-'}:${hour ms}`)
 * holding the totals so far, never a delta: of the documents of one
 * (instance, keyId, hour), the highest `seq` is the truth and the others are
 * superseded (the flusher deletes them). So a retried or lost flush can never
 * count anything twice, and no write needs `$inc` or a transaction.
 */
export interface UsageDoc {
  _id: string;
  instance: string;
  seq: number;
  teamId: string | null;
  keyId: string | null;
  hour: Date;
  valid: number;
  revoked: number;
  disabled: number;
  expired: number;
  malformed: number;
  notFound: number;
  /** Distinct source addresses, at most USAGE_MAX_IPS; `ipsCapped` when more were seen. */
  ips: string[];
  ipsCapped: boolean;
  lastValidAt: Date | null;
  lastValidIp: string | null;
  lastValidUa: string | null;
  lastFailAt: Date | null;
  lastFailCode: 'REVOKED' | 'DISABLED' | 'EXPIRED' | null;
  lastFailIp: string | null;
  lastFailUa: string | null;
}

export interface RevisionDoc {
  _id: string;
  v: string;
}

export function collections(db: Db) {
  return {
    teams: db.collection<TeamDoc>('teams'),
    users: db.collection<UserDoc>('users'),
    memberships: db.collection<MembershipDoc>('memberships'),
    invitations: db.collection<InvitationDoc>('invitations'),
    keys: db.collection<KeyDoc>('keys'),
    sessions: db.collection<SessionDoc>('sessions'),
    loginCodes: db.collection<LoginCodeDoc>('login_codes'),
    rateLimits: db.collection<RateLimitDoc>('rate_limits'),
    audit: db.collection<AuditDoc>('audit'),
    actions: db.collection<ActionDoc>('actions'),
    notifications: db.collection<NotificationDoc>('notifications'),
    outbox: db.collection<OutboxDoc>('outbox'),
    leases: db.collection<LeaseDoc>('leases'),
    marks: db.collection<MarkDoc>('marks'),
    revisions: db.collection<RevisionDoc>('revisions'),
    revocations: db.collection<RevocationDoc>('revocations'),
    usage: db.collection<UsageDoc>('usage'),
  };
}
export type Collections = ReturnType<typeof collections>;
