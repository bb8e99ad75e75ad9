import type { DisabledReason, RevokedReason } from '../../shared/schemas/key';

/**
 * The bulk changes the action engine (services/key-actions.service.ts) knows, one tagged kind
 * each, with only the fields that kind needs. A kind is named wherever it is handled.
 */
export type KeyAction =
  /** Chosen keys revoked (a member's own key, the admin's selection, a rotation's old key, a leak). */
  | { kind: 'revoke'; keyIds: string[]; reason: RevokedReason }
  /** Revoke All: every key of the team created before the action. */
  | { kind: 'revoke_all' }
  /** Chosen keys disabled (by an admin, a leak response, the idle policy). */
  | { kind: 'disable'; keyIds: string[]; reason: DisabledReason }
  /** Every key of a removed member, disabled. */
  | { kind: 'owner_removed'; ownerId: string }
  /** Chosen disabled keys enabled again. */
  | { kind: 'enable'; keyIds: string[] }
  /** The team's key lifetime cap applied to its live keys. */
  | { kind: 'policy'; maxLifetimeDays: number };
export type KeyActionKind = KeyAction['kind'];
