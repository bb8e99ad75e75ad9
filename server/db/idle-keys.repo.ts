import { settingsOf } from '../../shared/schemas/team';
import type { Collections, KeyDoc } from './collections';
import { liveFilter } from './effective-status';

export type IdleCandidate = Pick<KeyDoc, 'id' | 'teamId' | 'ownerId' | 'name' | 'hint' | 'expiresAt' | 'createdAt' | 'lastUsedAt' | 'enabledAt'>;

/** What the idle-key policy reads: teams that have it on, and their enabled live keys' idle clocks. */
export function idleKeysRepo(cols: Collections) {
  return {
    async teamsWithPolicy(): Promise<{ teamId: string; idleDisableDays: number; idleWarningDays: number }[]> {
      const docs = await cols.teams.find({ 'settings.idleDisableDays': { $gte: 1 } }, { projection: { _id: 1, settings: 1 } }).toArray();
      return docs.map((d) => ({ teamId: d._id, ...settingsOf(d.settings), idleDisableDays: d.settings.idleDisableDays! }));
    },

    /** Enabled keys that still work (disabled or revoked ones have nothing left to lose); canaries never idle out. */
    async candidates(teamId: string, now: Date): Promise<IdleCandidate[]> {
      return cols.keys
        .find(
          { teamId, ...liveFilter(now), status: 'enabled', canary: { $ne: true } },
          { projection: { _id: 0, id: 1, teamId: 1, ownerId: 1, name: 1, hint: 1, expiresAt: 1, createdAt: 1, lastUsedAt: 1, enabledAt: 1 } },
        )
        .toArray() as Promise<IdleCandidate[]>;
    },
  };
}
export type IdleKeysRepo = ReturnType<typeof idleKeysRepo>;
