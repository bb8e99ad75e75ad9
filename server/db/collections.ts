import type { Meta } from '../../shared/schemas/policy';
import type { Db } from 'mongodb';
import type { DisabledReason, RevokedReason } from '../../shared/schemas/key';
import type { Role } from '../../shared/schemas/common';
import type { TeamSettings } from '../../shared/schemas/team';
import type { TokenActor, TokenScope } from '../../shared/schemas/token';
import type { MarkDoc, NotificationDoc, OutboxDoc, UsageDoc } from './activity-docs';

export type { MarkDoc, NotificationDoc, OutboxDoc, UsageDoc };
import type { KeyRequestDoc, KeyRotation } from './lifecycle-docs';

export type { KeyRequestDoc, KeyRotation };
import type { KeyAction } from './action-docs';
import type { LeakDoc } from './leak-docs';
import type { CanaryAlarmDoc } from './canary-docs';
import type { WebhookAttemptDoc, WebhookEndpointDoc } from './webhook-docs';
import type { IdentityDoc, RoleDoc } from './policy-docs';

export type { IdentityDoc, RoleDoc };
import type { KeyLimitFields } from './limits-docs';

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
 * An answered round is kept with its answer, so a repeated accept is answered the same
 * and a late one loses to a cancel. (Rounds declined or cancelled before answers were
 * kept were deleted instead.)
 */
export type InvitationState = 'pending' | 'accepted' | 'declined' | 'cancelled';

export interface InvitationDoc {
  _id: string;
  id: string;
  teamId: string;
  userId: string;
  email: string;
  role: Role;
  invitedBy: { userId: string | null; email: string | null };
  state: InvitationState;
  createdAt: Date;
  sentAt: Date;
  expiresAt: Date;
  respondedAt: Date | null;
  /**
   * On an accepted round: false from the acceptance until its membership is written, so an accept
   * repeated after a crash in between finishes it. Absent on rounds accepted before it was recorded.
   */
  joined?: boolean;
}

/** `_id` is HMAC-SHA256(pepper, key): verification and search-by-value are `_id` look-ups. */
export interface KeyDoc extends KeyLimitFields {
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
  /** The key's policy (issue 24); absent on keys written before it, read as empty / null. */
  permissions?: string[];
  roles?: string[];
  restrictions?: { ips: string[]; origins: string[] };
  meta?: Meta;
  externalId?: string | null;
}

export interface SessionDoc {
  _id: string;
  userId: string;
  createdAt: Date;
  expiresAt: Date;
}

/**
 * One per sign-in attempt (an email may have several live ones); `_id` is the hash of the
 * attempt id only its requester holds. `deviceHash`: the device token it was asked with, if any.
 */
export interface LoginCodeDoc {
  _id: string;
  emailHash: string;
  codeHash: string;
  /** Checks of a guess so far. */
  attempts: number;
  deviceHash: string | null;
  expiresAt: Date;
  createdAt: Date;
}

/** A browser that signed in as an email; `_id` is the token's hash. */
export interface DeviceTokenDoc {
  _id: string;
  emailHash: string;
  createdAt: Date;
  expiresAt: Date;
}

/** One rate-limit counter per bucket; the bucket id names its window, so a counter is never reused. */
export interface RateLimitDoc {
  _id: string;
  count: number;
  expiresAt: Date;
}

export interface AuditDoc {
  _id: string;
  teamId: string;
  at: Date;
  actor: { userId: string | null; email: string | null; role: Role | null; tokenId?: string; name?: string; createdBy?: string };
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
  actor: { userId: string | null; email: string | null; role: Role | null; token?: TokenActor };
  ip: string | null;
  userAgent: string | null;
  state: 'pending' | 'done';
  createdAt: Date;
  completedAt: Date | null;
  result: Record<string, unknown> | null;
  /** Keys done of total, written per batch while a large action runs (keys.actionProgress). */
  progress?: { done: number; total: number } | null;
}

/** A job's lease (`job:{name}`, with the time `window` it was taken in) or an outbox claim. */
export interface LeaseDoc {
  _id: string;
  owner: string;
  until: Date;
  window?: number;
}

/** A revision counter (revisions.repo). Documents written before counters also carry the random token `v` they used. */
export interface RevisionDoc {
  _id: string;
  seq: number;
  /** A change feed's counter (`feed:{teamId}`): the highest sequence number pruned (key-changes.repo). */
  pruned?: number;
}

/**
 * One entry of a team's change feed (key-changes.repo), `_id` = `{teamId}:{seq}`. A `gap` entry
 * fills a number whose writer never inserted its event (it crashed after taking the number).
 */
export interface KeyChangeDoc {
  _id: string;
  teamId: string;
  seq: number;
  keyId: string | null;
  kind: string;
  at: Date;
}

/** A team API token; `_id` is HMAC-SHA256(pepper, token) like a key's, so authentication is an `_id` look-up. */
export interface TokenDoc {
  _id: string;
  id: string;
  teamId: string;
  name: string;
  hint: string;
  scopes: TokenScope[];
  createdAt: Date;
  /** The admin who created it: the token acts with their role in the team at most. */
  createdBy: string;
  expiresAt: Date | null;
  lastUsedAt: Date | null;
  revokedAt: Date | null;
  /** `creator_left`: its creator left the team or stopped being an admin of it (a token never outlives that). */
  revokedReason: 'manual' | 'leaked' | 'creator_left' | null;
  /** Revoked as leaked, its alerts not all sent yet: a crash in between leaves it to the next report. */
  leakPending?: boolean;
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
    deviceTokens: db.collection<DeviceTokenDoc>('device_tokens'),
    audit: db.collection<AuditDoc>('audit'),
    actions: db.collection<ActionDoc>('actions'),
    notifications: db.collection<NotificationDoc>('notifications'),
    outbox: db.collection<OutboxDoc>('outbox'),
    leases: db.collection<LeaseDoc>('leases'),
    marks: db.collection<MarkDoc>('marks'),
    revisions: db.collection<RevisionDoc>('revisions'),
    keyChanges: db.collection<KeyChangeDoc>('key_changes'),
    usage: db.collection<UsageDoc>('usage'),
    keyRequests: db.collection<KeyRequestDoc>('key_requests'),
    leaks: db.collection<LeakDoc>('leaks'),
    canaryAlarms: db.collection<CanaryAlarmDoc>('canary_alarms'),
    webhookEndpoints: db.collection<WebhookEndpointDoc>('webhook_endpoints'),
    webhookAttempts: db.collection<WebhookAttemptDoc>('webhook_attempts'),
    tokens: db.collection<TokenDoc>('api_tokens'),
    roles: db.collection<RoleDoc>('roles'),
    identities: db.collection<IdentityDoc>('identities'),
  };
}
export type Collections = ReturnType<typeof collections>;
