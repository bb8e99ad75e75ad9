import type { Role } from '../../shared/schemas/common';
import { settingsOf, type FullTeamSettings, type TeamSettings } from '../../shared/schemas/team';
import type { Collections, MembershipDoc, TeamDoc } from './collections';

export interface Team {
  id: string;
  name: string;
  /** Defaults filled in (settingsOf): no reader fills them again. */
  settings: FullTeamSettings;
  createdAt: Date;
}
export interface Membership {
  teamId: string;
  userId: string;
  role: Role;
  joinedAt: Date;
}

const membershipId = (teamId: string, userId: string) => `${teamId}:${userId}`;
const toTeam = (d: TeamDoc): Team => ({ id: d._id, name: d.name, settings: settingsOf(d.settings), createdAt: d.createdAt });
const toMembership = (d: MembershipDoc): Membership => ({ teamId: d.teamId, userId: d.userId, role: d.role, joinedAt: d.joinedAt });

export function teamsRepo(cols: Collections) {
  return {
    async insertTeam(team: Team): Promise<void> {
      await cols.teams.insertOne({ _id: team.id, name: team.name, settings: team.settings, createdAt: team.createdAt });
    },
    async anyTeamExists(): Promise<boolean> {
      return (await cols.teams.findOne({}, { projection: { _id: 1 } })) !== null;
    },
    async findTeam(teamId: string): Promise<Team | null> {
      const doc = await cols.teams.findOne({ _id: teamId });
      return doc ? toTeam(doc) : null;
    },
    async findTeams(teamIds: string[]): Promise<Team[]> {
      if (teamIds.length === 0) return [];
      return (await cols.teams.find({ _id: { $in: teamIds } }).toArray()).map(toTeam);
    },
    async updateSettings(teamId: string, settings: TeamSettings): Promise<void> {
      await cols.teams.updateOne({ _id: teamId }, { $set: { settings } });
    },
    async findMembership(teamId: string, userId: string): Promise<Membership | null> {
      const doc = await cols.memberships.findOne({ _id: membershipId(teamId, userId) });
      return doc ? toMembership(doc) : null;
    },
    async findMemberships(teamId: string, userIds: string[]): Promise<Membership[]> {
      if (userIds.length === 0) return [];
      const ids = userIds.map((u) => membershipId(teamId, u));
      return (await cols.memberships.find({ _id: { $in: ids } }).toArray()).map(toMembership);
    },
    async listMembershipsOfTeam(teamId: string): Promise<Membership[]> {
      return (await cols.memberships.find({ teamId }).sort({ joinedAt: 1 }).toArray()).map(toMembership);
    },
    async listMembershipsOfUser(userId: string): Promise<Membership[]> {
      return (await cols.memberships.find({ userId }).toArray()).map(toMembership);
    },
    /** Inserts, or does nothing when the user is already a member; returns whether it inserted. */
    async addMembership(m: Membership): Promise<boolean> {
      const res = await cols.memberships.updateOne(
        { _id: membershipId(m.teamId, m.userId) },
        { $setOnInsert: { teamId: m.teamId, userId: m.userId, role: m.role, joinedAt: m.joinedAt } },
        { upsert: true },
      );
      return res.upsertedCount === 1;
    },
    async setRole(teamId: string, userId: string, role: Role): Promise<boolean> {
      const res = await cols.memberships.updateOne({ _id: membershipId(teamId, userId) }, { $set: { role } });
      return res.matchedCount === 1;
    },
    async removeMembership(teamId: string, userId: string): Promise<boolean> {
      const res = await cols.memberships.deleteOne({ _id: membershipId(teamId, userId) });
      return res.deletedCount === 1;
    },
    async countRole(teamId: string, role: Role): Promise<number> {
      return cols.memberships.countDocuments({ teamId, role });
    },
  };
}
export type TeamsRepo = ReturnType<typeof teamsRepo>;
