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
  keys: StoredKey[];
  at: Date;
}

export interface KeyEvents {
  keysChanged(event: KeyChangeEvent): Promise<void>;
}

export const noKeyEvents: KeyEvents = { keysChanged: async () => {} };
