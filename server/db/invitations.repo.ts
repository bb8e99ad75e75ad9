import type { Collections, InvitationDoc, InvitationState } from './collections';
import { insertOnce } from './insert-once';

export type Invitation = Omit<InvitationDoc, '_id'>;

const invitationId = (teamId: string, userId: string) => `${teamId}:${userId}`;
const toInvitation = ({ _id, ...rest }: InvitationDoc): Invitation => rest;

/**
 * Invitations to join a team: one document per team and person. Every write
 * names the round (`id`) it expects, so a write based on a stale read changes
 * nothing instead of reviving or clobbering a newer round; an answer is a
 * conditional update of a pending round, so a round is answered once.
 */
export function invitationsRepo(cols: Collections) {
  return {
    async find(teamId: string, userId: string): Promise<Invitation | null> {
      const doc = await cols.invitations.findOne({ _id: invitationId(teamId, userId) });
      return doc ? toInvitation(doc) : null;
    },

    /**
     * Opens a new round: inserted when there is no document yet, or replacing
     * the round `previousId` (accepted earlier, or expired). Returns false when
     * someone else got there first; the caller reads again.
     */
    async open(inv: Invitation, previousId: string | null): Promise<boolean> {
      const _id = invitationId(inv.teamId, inv.userId);
      if (previousId) return (await cols.invitations.replaceOne({ _id, id: previousId }, inv)).matchedCount === 1;
      // Two admins inviting the same person at once: one creates the round, the other reads again.
      return insertOnce(cols.invitations, _id, inv);
    },

    /** Re-sends a pending round: new role and inviter, and the clock starts again. */
    async resend(teamId: string, userId: string, id: string, change: Pick<Invitation, 'role' | 'invitedBy' | 'sentAt' | 'expiresAt'>): Promise<boolean> {
      const res = await cols.invitations.updateOne({ _id: invitationId(teamId, userId), id, state: 'pending' }, { $set: change });
      return res.matchedCount === 1;
    },

    /**
     * Answers the pending round `id`, unless it was answered (or expired) meanwhile: one conditional
     * write, so of an accept and a cancel racing, exactly one wins. Returns the answered round, or
     * null for the loser. An acceptance starts with `joined: false` until the membership is written.
     */
    async answer(teamId: string, userId: string, id: string, state: Exclude<InvitationState, 'pending'>, at: Date): Promise<Invitation | null> {
      const doc = await cols.invitations.findOneAndUpdate(
        { _id: invitationId(teamId, userId), id, state: 'pending', expiresAt: { $gt: at } },
        { $set: { state, respondedAt: at, ...(state === 'accepted' ? { joined: false } : {}) } },
        { returnDocument: 'after' },
      );
      return doc ? toInvitation(doc) : null;
    },

    /** The accepted round's membership is written (its audit record too). */
    async markJoined(teamId: string, userId: string, id: string): Promise<void> {
      await cols.invitations.updateOne({ _id: invitationId(teamId, userId), id, state: 'accepted' }, { $set: { joined: true } });
    },

    /** The user's open invitations, newest first. */
    async listPendingOfUser(userId: string, now: Date): Promise<Invitation[]> {
      const docs = await cols.invitations.find({ userId, state: 'pending', expiresAt: { $gt: now } }).sort({ sentAt: -1 }).toArray();
      return docs.map(toInvitation);
    },

    /** The team's open invitations, newest first. */
    async listPendingOfTeam(teamId: string, now: Date): Promise<Invitation[]> {
      const docs = await cols.invitations.find({ teamId, state: 'pending', expiresAt: { $gt: now } }).sort({ sentAt: -1 }).toArray();
      return docs.map(toInvitation);
    },
  };
}
export type InvitationsRepo = ReturnType<typeof invitationsRepo>;
