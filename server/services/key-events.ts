import type { StoredKey } from '../db/keys.repo';
import type { Actor } from './actor';

/**
 * What happened to a set of keys, as the notifier sees it. Delivered once per
 * action, possibly again on a retry: consumers must be idempotent on `actionId`.
 */
export interface KeyChangeEvent {
  actionId: string;
  teamId: string;
  kind: 'revoked' | 'disabled' | 'expired';
  reason: string;
  actor: Actor;
  /** The keys this action changed (already in their new state). */
  keys: StoredKey[];
  at: Date;
}

/** An expiry policy was applied: `changed` keys got a new (earlier) expiry; `expiredNow` of them are revoked with reason `policy`. */
export interface PolicyAppliedEvent {
  actionId: string;
  teamId: string;
  actor: Actor;
  maxLifetimeDays: number;
  changed: StoredKey[];
  expiredNow: StoredKey[];
  at: Date;
}

export interface KeyEvents {
  keysChanged(event: KeyChangeEvent): Promise<void>;
  policyApplied(event: PolicyAppliedEvent): Promise<void>;
}

