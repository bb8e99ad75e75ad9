import type { Role } from '../../shared/schemas/common';
import type { Member } from '../../shared/schemas/team';
import { AppError, forbidden, notFound } from '../errors';
import type { TeamsRepo } from '../db/teams.repo';
import type { UsersRepo } from '../db/users.repo';
import type { Actor } from './actor';
import type { AuditService } from './audit.service';
import type { KeyActionsService } from './key-actions.service';
import type { InvitationsService } from './invitations.service';
import type { TokensService } from './tokens.service';
import { isAdminRole } from '../../shared/schemas/common';
import { alreadyMember, type TeamsService } from './teams.service';

/**
 * Team membership for admins. Two invariants: only a super admin may grant or
 * take away `super_admin`, and a team always keeps at least one super admin.
 */
const lastSuperAdmin = () =>
  new AppError('PRECONDITION_FAILED', 'This is the team\'s last super admin. Make someone else a super admin first.');
const superAdminOnly = () => forbidden('Only a super admin may grant or take away the super admin role.');

export function membersService(
  repos: { teams: TeamsRepo; users: UsersRepo },
  teams: TeamsService,
  audit: AuditService,
  actions: KeyActionsService,
  invitations: InvitationsService,
  tokens: Pick<TokensService, 'revokeCreatedBy'>,
) {
  async function target(teamId: string, userId: string) {
    const membership = await repos.teams.findMembership(teamId, userId);
    if (!membership) throw notFound('That user is not a member of this team.');
    return membership;
  }

  return {
    async list(teamId: string): Promise<Member[]> {
      const memberships = await repos.teams.listMembershipsOfTeam(teamId);
      const users = new Map((await repos.users.findMany(memberships.map((m) => m.userId))).map((u) => [u.id, u]));
      return memberships.map((m) => ({ userId: m.userId, email: users.get(m.userId)?.email ?? '', name: users.get(m.userId)?.name ?? '(deleted user)', role: m.role, joinedAt: m.joinedAt }));
    },

    /**
     * Someone who has signed in to Keywarden is invited (`invited: true`) and joins
     * only when they accept; an address that has never signed in is added at once,
     * and its first sign-in (by emailed code) proves the address.
     */
    async add(actor: Actor, input: { teamId: string; email: string; role: Role; name?: string }) {
      if (input.role === 'super_admin' && actor.role !== 'super_admin') throw superAdminOnly();
      const existing = await repos.users.findByEmail(input.email);
      if (existing && (await invitations.needsConsent(existing.id))) {
        if (await repos.teams.findMembership(input.teamId, existing.id)) throw alreadyMember(input.email);
        const sent = await invitations.invite(actor, { teamId: input.teamId, user: existing, role: input.role });
        return { teamId: input.teamId, userId: existing.id, invited: true as const, expiresAt: sent.expiresAt };
      }
      const added = await teams.addMember(input);
      await audit.record({ teamId: input.teamId, action: 'member.added', actor, targetIds: [added.userId], details: { email: input.email, role: input.role } });
      return { ...added, invited: false as const };
    },

    async setRole(actor: Actor, teamId: string, userId: string, role: Role) {
      const current = await target(teamId, userId);
      if (current.role === role) return { userId, role, changed: false };
      if ((role === 'super_admin' || current.role === 'super_admin') && actor.role !== 'super_admin') throw superAdminOnly();
      if (current.role === 'super_admin' && (await repos.teams.countRole(teamId, 'super_admin')) <= 1) throw lastSuperAdmin();
      await repos.teams.setRole(teamId, userId, role);
      // No transactions: two concurrent demotions could both pass the count, so re-check and undo ours.
      if (current.role === 'super_admin' && (await repos.teams.countRole(teamId, 'super_admin')) === 0) {
        await repos.teams.setRole(teamId, userId, 'super_admin');
        throw lastSuperAdmin();
      }
      await audit.record({ teamId, action: 'member.role_changed', actor, targetIds: [userId], details: { from: current.role, to: role } });
      if (!isAdminRole(role)) await tokens.revokeCreatedBy(actor, teamId, userId);
      return { userId, role, changed: true };
    },

    /**
     * Disables the member's keys first (a retry finds them disabled), removes the
     * membership, then disables again for any key created in between. Without
     * transactions two removals could race past the last-super-admin check, so
     * the count is re-checked after the removal and the membership restored.
     */
    async remove(actor: Actor, teamId: string, userId: string) {
      const current = await target(teamId, userId);
      if (current.role === 'super_admin' && actor.role !== 'super_admin') throw superAdminOnly();
      if (current.role === 'super_admin' && (await repos.teams.countRole(teamId, 'super_admin')) <= 1) throw lastSuperAdmin();
      const first = await actions.run({ teamId, kind: 'owner_removed', actor, ownerId: userId });
      await repos.teams.removeMembership(teamId, userId);
      if (current.role === 'super_admin' && (await repos.teams.countRole(teamId, 'super_admin')) === 0) {
        await repos.teams.addMembership({ teamId, userId, role: 'super_admin', joinedAt: current.joinedAt });
        // Undo the first pass too: they stay, so their keys work again.
        if (first.changed.length > 0) await actions.run({ teamId, kind: 'enable', actor, keyIds: first.changed.map((k) => k.id) });
        throw lastSuperAdmin();
      }
      const second = await actions.run({ teamId, kind: 'owner_removed', actor, ownerId: userId });
      const disabledKeys = first.changed.length + second.changed.length;
      await audit.record({ teamId, action: 'member.removed', actor, targetIds: [userId], details: { role: current.role, disabledKeys } });
      await tokens.revokeCreatedBy(actor, teamId, userId);
      return { userId, disabledKeys };
    },
  };
}
export type MembersService = ReturnType<typeof membersService>;
