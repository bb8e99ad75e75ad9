/** Document shapes of the key lifecycle (rotation, key requests), kept beside collections.ts. */

/**
 * A rotation, held by the previous key (`KeyDoc.rotation`, set once by a conditional update: a key
 * is rotated once). Verify reads it with the key; the grace-end pass revokes the previous key
 * through the action engine and sets `state: 'done'`.
 */
export interface KeyRotation {
  replacedBy: string;
  graceEndsAt: Date;
  at: Date;
  by: string | null;
  state: 'grace' | 'done';
}

/** A member's request for a key. Its one decision (`state` leaves `pending`) and its one use (`keyId` set) are conditional updates of this document. */
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
