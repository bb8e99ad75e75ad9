import type { Filter } from 'mongodb';
import { settingsOf } from '../../shared/schemas/team';
import type { Collections, KeyDoc } from './collections';
import { NOT_REVOKED } from './effective-status';

/** What expiry warnings and the badge need to know about a key. */
export interface ExpiringKey {
  id: string;
  teamId: string;
  ownerId: string;
  name: string;
  hint: string;
  createdAt: Date;
  expiresAt: Date;
}

const FIELDS = { _id: 0, id: 1, teamId: 1, ownerId: 1, name: 1, hint: 1, createdAt: 1, expiresAt: 1 } as const;

/** Key queries of the expiry-warning pass and the alerts summary (read-only). */
export function keyExpiryRepo(cols: Collections) {
  return {
    /** Keys not revoked by hand whose expiry lies in (from, to], in (expiresAt, id) order from `after`. */
    async expiringBetween(from: Date, to: Date, after: { expiresAt: Date; id: string } | null, limit: number): Promise<ExpiringKey[]> {
      const filter: Filter<KeyDoc> = { status: NOT_REVOKED, expiresAt: { $gt: from, $lte: to } };
      if (after) filter.$or = [{ expiresAt: { $gt: after.expiresAt } }, { expiresAt: after.expiresAt, id: { $gt: after.id } }];
      return (await cols.keys.find(filter, { projection: FIELDS }).sort({ expiresAt: 1, id: 1 }).limit(limit).toArray()) as unknown as ExpiringKey[];
    },

    /** Every team's warning thresholds (teams are few next to keys). */
    async warningDaysByTeam(): Promise<Map<string, number[]>> {
      const docs = await cols.teams.find({}, { projection: { _id: 1, settings: 1 } }).toArray();
      return new Map(docs.map((d) => [d._id, settingsOf(d.settings).expiryWarningDays]));
    },

    async findByIds(ids: string[]): Promise<ExpiringKey[]> {
      if (ids.length === 0) return [];
      return (await cols.keys.find({ id: { $in: ids } }, { projection: FIELDS }).toArray()) as unknown as ExpiringKey[];
    },

    /** An owner's enabled keys expiring in (now, until]: a disabled key does not work, so it is not "expiring soon". */
    async ownerExpiringBefore(ownerId: string, teamIds: string[], now: Date, until: Date): Promise<{ id: string; teamId: string; expiresAt: Date }[]> {
      if (teamIds.length === 0) return [];
      return (await cols.keys
        .find({ ownerId, status: 'enabled', teamId: { $in: teamIds }, expiresAt: { $gt: now, $lte: until } }, { projection: { _id: 0, id: 1, teamId: 1, expiresAt: 1 } })
        .toArray()) as unknown as { id: string; teamId: string; expiresAt: Date }[];
    },
  };
}
export type KeyExpiryRepo = ReturnType<typeof keyExpiryRepo>;
