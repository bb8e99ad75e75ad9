import type { Role } from '../../shared/schemas/common';
import {
  INVITATION_TTL_DAYS,
  type AcceptedInvitation,
  type CancelledInvitation,
  type DeclinedInvitation,
  type MyInvitation,
  type ResentInvitation,
  type TeamInvitation,
} from '../../shared/schemas/invitation';
import { DAY_MS } from '../../shared/time';
import type { Invitation, InvitationsRepo } from '../db/invitations.repo';
import type { TeamsRepo } from '../db/teams.repo';
import type { UsersRepo } from '../db/users.repo';
import type { Deps } from '../deps';
import { AppError, notFound } from '../errors';
import { newId, sha256 } from '../lib/ids';
import { invitationMail } from '../mail/templates/invitation';
import type { Actor } from './actor';
import type { AlertsBus } from './alerts-bus';
import type { AuditService } from './audit.service';
import type { OutboxService } from './outbox.service';

/**
 * Consent to join a team. Someone who has signed in to Keywarden is invited, not
 * added: until they accept they are not a member, so the team sees none of their
 * keys, sign-ins or audit trail. (An address that has never signed in is still
 * added directly; its first emailed sign-in code proves the address.)
 *
 * An answer (accept, decline, cancel) is one conditional write on the pending
 * round, so exactly one answer wins. The winning accept then adds the membership
 * (an idempotent upsert) and its audit record (a fixed id), and marks the round
 * joined: an accept repeated after a crash in between completes it without doing
 * anything twice.
 */
export const INVITATION_TTL_MS = INVITATION_TTL_DAYS * DAY_MS;

const noOpenInvitation = () => notFound('There is no open invitation to that team. It may have expired, been declined or been withdrawn.');

export function invitationsService(
  deps: Deps,
  repos: { invitations: InvitationsRepo; teams: TeamsRepo; users: UsersRepo },
  audit: AuditService,
  outbox: OutboxService,
  alertsBus: Pick<AlertsBus, 'emit'>,
) {
  const isOpen = (inv: Invitation, now: Date) => inv.state === 'pending' && inv.expiresAt > now;

  /** Answers the open round, if there is one and nobody answered it first; the answered round, else null. */
  async function answerOpen(teamId: string, userId: string, state: 'declined' | 'cancelled'): Promise<Invitation | null> {
    const now = deps.now();
    const inv = await repos.invitations.find(teamId, userId);
    return inv && isOpen(inv, now) ? repos.invitations.answer(teamId, userId, inv.id, state, now) : null;
  }

  /** Re-sends the open round, or opens a new one; a few tries when another admin is at it too. */
  async function putRound(teamId: string, user: { id: string; email: string }, change: Pick<Invitation, 'role' | 'invitedBy' | 'sentAt' | 'expiresAt'>) {
    for (let tries = 0; tries < 3; tries++) {
      const current = await repos.invitations.find(teamId, user.id);
      if (current && isOpen(current, change.sentAt)) {
        if (await repos.invitations.resend(teamId, user.id, current.id, change)) return { round: { ...current, ...change }, resent: true };
        continue;
      }
      const fresh: Invitation = { id: newId('inv'), teamId, userId: user.id, email: user.email, state: 'pending', createdAt: change.sentAt, respondedAt: null, ...change };
      if (await repos.invitations.open(fresh, current?.id ?? null)) return { round: fresh, resent: false };
    }
    throw new AppError('CONFLICT', 'The invitation changed while it was being sent. Try again.');
  }

  /**
   * Invites (or re-invites) a user; re-inviting updates the one open invitation,
   * restarts its clock and sends the email again — at most once a minute, so a
   * double click or a retried request sends one email.
   */
  async function invite(actor: Actor, input: { teamId: string; user: { id: string; email: string }; role: Role }) {
    const team = await repos.teams.findTeam(input.teamId);
    if (!team) throw notFound('Team not found.');
    const now = deps.now();
    const expiresAt = new Date(now.getTime() + INVITATION_TTL_MS);
    const { round, resent } = await putRound(input.teamId, input.user, {
      role: input.role,
      invitedBy: { userId: actor.userId, email: actor.email },
      sentAt: now,
      expiresAt,
    });
    const mail = invitationMail({ teamName: team.name, role: input.role, inviterEmail: actor.email, expiresAt, publicUrl: deps.config.publicUrl });
    const mailId = `inv_${sha256(`invite:${round.id}:${Math.floor(now.getTime() / 60_000)}`).slice(0, 32)}`;
    await outbox.enqueue({ id: mailId, teamId: input.teamId, userId: input.user.id, to: input.user.email, ...mail, createdAt: now });
    outbox.kick();
    // The invitee's badge counts open invitations.
    await alertsBus.emit(input.user.id);
    await audit.record({ teamId: input.teamId, action: 'member.invited', actor, targetIds: [input.user.id], details: { email: input.user.email, role: input.role, resent } });
    return { expiresAt, resent };
  }

  return {
    /** Whether joining a team needs this user's consent: it does once they have signed in. */
    needsConsent: (userId: string) => repos.users.hasSignedIn(userId),

    invite,

    /** The caller's open invitations, newest first (none for teams they are already in). */
    async listMine(userId: string): Promise<MyInvitation[]> {
      const invitations = await repos.invitations.listPendingOfUser(userId, deps.now());
      if (invitations.length === 0) return [];
      const [teams, memberships] = await Promise.all([
        repos.teams.findTeams([...new Set(invitations.map((i) => i.teamId))]),
        repos.teams.listMembershipsOfUser(userId),
      ]);
      const teamName = new Map(teams.map((t) => [t.id, t.name]));
      const member = new Set(memberships.map((m) => m.teamId));
      return invitations
        .filter((i) => teamName.has(i.teamId) && !member.has(i.teamId))
        .map((i) => ({ teamId: i.teamId, teamName: teamName.get(i.teamId)!, role: i.role, invitedBy: i.invitedBy.email, createdAt: i.createdAt, expiresAt: i.expiresAt }));
    },

    /** The team's open invitations, for its admins. */
    async listForTeam(teamId: string): Promise<TeamInvitation[]> {
      const invitations = await repos.invitations.listPendingOfTeam(teamId, deps.now());
      return invitations.map((i) => ({ userId: i.userId, email: i.email, role: i.role, invitedBy: i.invitedBy.email, createdAt: i.createdAt, sentAt: i.sentAt, expiresAt: i.expiresAt }));
    },

    /**
     * Idempotent: accepting again answers the same while the membership lasts. Only the accept that
     * answered the round (one conditional write, see the repo's `answer`) adds the membership.
     */
    async accept(user: { id: string; email: string }, teamId: string, meta: { ip: string | null; userAgent: string | null }): Promise<AcceptedInvitation> {
      const now = deps.now();
      const team = await repos.teams.findTeam(teamId);
      let inv = team ? await repos.invitations.find(teamId, user.id) : null;
      if (inv?.state === 'pending') inv = (await repos.invitations.answer(teamId, user.id, inv.id, 'accepted', now)) ?? (await repos.invitations.find(teamId, user.id));
      if (!team || !inv || inv.state !== 'accepted') throw noOpenInvitation();
      if (inv.joined !== false) {
        const membership = await repos.teams.findMembership(teamId, user.id);
        if (!membership) throw noOpenInvitation();
        return { teamId, teamName: team.name, role: membership.role };
      }
      // Accepted and not joined yet: this accept, or a repeat of one a crash cut short. Each step is idempotent.
      // Someone already in the team (say, added by the operator meanwhile) keeps their role.
      const joined = await repos.teams.addMembership({ teamId, userId: user.id, role: inv.role, joinedAt: now });
      const role = joined ? inv.role : ((await repos.teams.findMembership(teamId, user.id))?.role ?? inv.role);
      await alertsBus.emit(user.id);
      await audit.record({
        id: `aud_joined_${inv.id}`,
        teamId,
        action: 'member.joined',
        actor: { userId: user.id, email: user.email, role, ...meta },
        targetIds: [user.id],
        details: { role, invitedBy: inv.invitedBy.email },
        at: now,
      });
      await repos.invitations.markJoined(teamId, user.id, inv.id);
      return { teamId, teamName: team.name, role };
    },

    /**
     * Declines the invitation. The team learns that it was declined, but not from
     * where: the record carries no IP or user agent of someone who never joined.
     */
    async decline(user: { id: string; email: string }, teamId: string): Promise<DeclinedInvitation> {
      const inv = await answerOpen(teamId, user.id, 'declined');
      if (!inv) throw noOpenInvitation();
      await audit.record({
        id: `aud_declined_${inv.id}`,
        teamId,
        action: 'invitation.declined',
        actor: { userId: user.id, email: user.email, role: null, ip: null, userAgent: null },
        targetIds: [user.id],
        details: { role: inv.role },
      });
      await alertsBus.emit(user.id);
      return { teamId, declined: true as const };
    },

    /**
     * An admin sends an open invitation again, with its role: the email goes out
     * again (at most once a minute) and the invitation's clock starts again.
     */
    async resend(actor: Actor, teamId: string, userId: string): Promise<ResentInvitation> {
      const inv = await repos.invitations.find(teamId, userId);
      if (!inv || !isOpen(inv, deps.now())) throw notFound('There is no open invitation for that person.');
      const { expiresAt } = await invite(actor, { teamId, user: { id: userId, email: inv.email }, role: inv.role });
      return { userId, expiresAt };
    },

    /** An admin withdraws an open invitation of their team; an accept that got there first wins. */
    async cancel(actor: Actor, teamId: string, userId: string): Promise<CancelledInvitation> {
      const inv = await answerOpen(teamId, userId, 'cancelled');
      if (!inv) throw notFound('There is no open invitation for that person.');
      await audit.record({ id: `aud_cancelled_${inv.id}`, teamId, action: 'invitation.cancelled', actor, targetIds: [userId], details: { email: inv.email, role: inv.role } });
      await alertsBus.emit(userId);
      return { userId, cancelled: true as const };
    },
  };
}
export type InvitationsService = ReturnType<typeof invitationsService>;
