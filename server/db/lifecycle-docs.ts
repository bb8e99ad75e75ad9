/** Document shapes of the key lifecycle (rotation, key requests), kept beside collections.ts. */

/**
 * A rotation, `_id` the previous key's hash (inserted once: a key is rotated
 * once). Verify reads it with the key; the grace-end pass revokes the previous
 * key through the action engine and sets `state: 'done'`.
 */
export interface RotationDoc {
  _id: string;
  teamId: string;
  keyId: string;
  ownerId: string;
  replacedBy: string;
  graceEndsAt: Date;
  at: Date;
  by: string | null;
  state: 'grace' | 'done';
}

/** A member's request for a key. Its one decision and its one use are won in `key_request_claims` (RequestClaimDoc). */
export interface KeyRequestDoc {
  _id: string;
  teamId: string;
  userId: string;
  email: string;
  name: string;
  reason: string;
  expiresInDays: number | null;
  state: 'pending' | 'approved' | 'denied';
  createdAt: Date;
  decidedAt: Date | null;
  decidedBy: { userId: string | null; email: string | null } | null;
  note: string | null;
  grantExpiresAt: Date | null;
  keyId: string | null;
}

/** `_id` `decide:<requestId>` or `use:<requestId>`: the insert that wins is the one decision, the one use. */
export interface RequestClaimDoc {
  _id: string;
  at: Date;
  by: string | null;
}
