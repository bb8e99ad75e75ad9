import { isAdminRole, type Role } from '../../shared/schemas/common';
import { DEFAULT_TEAM_SETTINGS, type MyTeam, type TeamSettings } from '../../shared/schemas/team';
import { AppError, forbidden, notFound } from '../errors';
import type { Deps } from '../deps';
import type { TeamsRepo } from '../db/teams.repo';
import type { UsersRepo } from '../db/users.repo';
import { newId } from '../lib/ids';

export const alreadyMember = (email: string) => new AppError('CONFLICT', `${email} is already a member of this team.`);

/** Who may generate keys in a team: its admins always, its members when the team allows it. The one home of this rule. */
export const canGenerate = (role: Role, settings: Pick<TeamSettings, 'allowMemberKeyGeneration'>): boolean => isAdminRole(role) || settings.allowMemberKeyGeneration;

/** Teams, users and memberships: who belongs where, with which role. */
export function teamsService(deps: Deps, repos: { teams: TeamsRepo; users: UsersRepo }) {
  const nameFromEmail = (email: string) => email.split('@')[0]!.replace(/[._-]+/g, ' ').replace(/\b\w/g, (c) => c.toUpperCase());

  return {
    /** Whether any team exists yet (the demo seed runs only on an empty database). */
    anyTeamExists: () => repos.teams.anyTeamExists(),

    membership: (teamId: string, userId: string) => repos.teams.findMembership(teamId, userId),

    /** The caller's role in the team; a team they are not in is NOT_FOUND, exactly like one that does not exist. */
    async roleIn(teamId: string, userId: string): Promise<Role> {
      const membership = await repos.teams.findMembership(teamId, userId);
      if (!membership) throw notFound('Team not found.');
      return membership.role;
    },

    /** The one team-admin guard (adminProcedure, the CSV routes): roleIn, and FORBIDDEN for a plain member. */
    async adminRoleIn(teamId: string, userId: string, why?: string): Promise<Role> {
      const role = await this.roleIn(teamId, userId);
      if (!isAdminRole(role)) throw forbidden(why);
      return role;
    },

    async teamsOf(userId: string): Promise<MyTeam[]> {
      const memberships = await repos.teams.listMembershipsOfUser(userId);
      const teams = new Map((await repos.teams.findTeams(memberships.map((m) => m.teamId))).map((t) => [t.id, t]));
      return memberships
        .filter((m) => teams.has(m.teamId))
        .map((m) => {
          const team = teams.get(m.teamId)!;
          return { teamId: m.teamId, name: team.name, role: m.role, canGenerate: canGenerate(m.role, team.settings) };
        })
        .sort((a, b) => a.name.localeCompare(b.name));
    },

    async getTeam(teamId: string) {
      const team = await repos.teams.findTeam(teamId);
      if (!team) throw new AppError('NOT_FOUND', 'Team not found.');
      return team;
    },

    /** Used by the bootstrap CLI and the demo seed. */
    async createTeamWithAdmin(input: { teamName: string; adminEmail: string; adminName?: string }) {
      const admin = await repos.users.findOrCreate({ id: newId('usr'), email: input.adminEmail, name: input.adminName ?? nameFromEmail(input.adminEmail), createdAt: deps.now() });
      const existing = await this.teamsOf(admin.id);
      if (existing.some((t) => t.name === input.teamName)) {
        throw new AppError('CONFLICT', `${input.adminEmail} already belongs to a team named "${input.teamName}".`);
      }
      const team = { id: newId('team'), name: input.teamName, settings: { ...DEFAULT_TEAM_SETTINGS }, createdAt: deps.now() };
      await repos.teams.insertTeam(team);
      await repos.teams.addMembership({ teamId: team.id, userId: admin.id, role: 'super_admin', joinedAt: deps.now() });
      return { teamId: team.id, userId: admin.id };
    },

    /**
     * Adds a user (created if new) to a team directly, without asking them: the
     * operator's CLI and the demo seed use it, and `members.add` for an address
     * that has never signed in. A user already in the team keeps their role.
     */
    async addMember(input: { teamId: string; email: string; role: Role; name?: string }) {
      await this.getTeam(input.teamId);
      const user = await repos.users.findOrCreate({ id: newId('usr'), email: input.email, name: input.name ?? nameFromEmail(input.email), createdAt: deps.now() });
      const added = await repos.teams.addMembership({ teamId: input.teamId, userId: user.id, role: input.role, joinedAt: deps.now() });
      if (!added) throw alreadyMember(input.email);
      return { teamId: input.teamId, userId: user.id };
    },
  };
}
export type TeamsService = ReturnType<typeof teamsService>;
