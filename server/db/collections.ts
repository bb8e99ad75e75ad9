import type { Db } from 'mongodb';
import type { DisabledReason, RevokedReason } from '../../shared/schemas/key';
import type { Role } from '../../shared/schemas/common';
import type { TeamSettings } from '../../shared/schemas/team';
import type { MarkDoc, NotificationDoc, OutboxDoc, UsageDoc } from './activity-docs';

export type { MarkDoc, NotificationDoc, OutboxDoc, UsageDoc };
import type { KeyRequestDoc, KeyRotation } from './lifecycle-docs';

export type { KeyRequestDoc, KeyRotation };
import type { KeyAction } from './actions.repo';
import type { LeakDoc } from './leaks.repo';
import type { WebhookAttemptDoc, WebhookEndpointDoc } from './webhooks.repo';

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
  /** When the key was last enabled again: restarts its idle clock (idle policy). */
  enabledAt?: Date | null;
  /** A canary: a trap key that never works and raises an alarm when used (absent on ordinary keys). */
  canary?: boolean;
  /** Set once when the key is rotated (absent or null until then): verify reads its grace with the key. */
  rotation?: KeyRotation | null;
  /** On a key made by a rotation: the previous key's public id. */
  replaces?: string | null;
  /** Set once by the key's first leak report; `handledAt` when its handling finished (a crash leaves it to the next report). */
  leak?: { firstAt: Date; handledAt: Date | null } | null;
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

/** One taken slot of a rate-limit bucket (`${bucket}#${n}`): the insert is the count. */
export interface RateLimitDoc {
  _id: string;
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

/**
 * A bulk change is written here first, so a retry or background pass can finish it. `action` is
 * the typed change (actions.repo `KeyAction`); documents written before it existed carry the
 * untyped `kind`/`reason`/`keyIds`/`details` instead, and are read as the action they meant.
 */
export interface ActionDoc {
  _id: string;
  teamId: string;
  action?: KeyAction;
  kind?: 'revoke' | 'disable' | 'enable' | 'policy';
  reason?: RevokedReason | DisabledReason | null;
  keyIds?: string[] | null;
  details?: Record<string, unknown> | null;
  actor: { userId: string | null; email: string | null; role: Role | null };
  ip: string | null;
  userAgent: string | null;
  state: 'pending' | 'done';
  createdAt: Date;
  completedAt: Date | null;
  result: Record<string, unknown> | null;
}

export interface LeaseDoc {
  _id: string;
  owner: string;
  until: Date;
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
    usage: db.collection<UsageDoc>('usage'),
    keyRequests: db.collection<KeyRequestDoc>('key_requests'),
    leaks: db.collection<LeakDoc>('leaks'),
    webhookEndpoints: db.collection<WebhookEndpointDoc>('webhook_endpoints'),
    webhookAttempts: db.collection<WebhookAttemptDoc>('webhook_attempts'),
  };
}
export type Collections = ReturnType<typeof collections>;
