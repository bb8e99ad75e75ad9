import type { Filter } from 'mongodb';
import type { Collections, KeyDoc, UsageDoc } from './collections';
import { insertOnce, onlyDuplicates } from './insert-once';

/**
 * Usage flush documents (see UsageDoc): inserted once each, read back as the
 * newest document of each (instance, key, hour). Every read names the team
 * and a time bound, and the per-key reads their keys, so MongoDB serves them
 * from `key_hour` / `team_hour`; on FerretDB v1 each is a scan of `usage`.
 */
export type UsageRecord = Omit<UsageDoc, '_id'> & { id: string };
/** What counting needs; addresses and user agents only where asked for. */
export type UsageCounts = Pick<UsageDoc, 'instance' | 'seq' | 'keyId' | 'hour' | 'valid' | 'revoked' | 'disabled' | 'expired' | 'lastValidAt' | 'lastValidIp'>;

const COUNT_FIELDS = { _id: 0, instance: 1, seq: 1, keyId: 1, hour: 1, valid: 1, revoked: 1, disabled: 1, expired: 1, lastValidAt: 1, lastValidIp: 1 } as const;


/** Use-after-revoke notices are marked sent per team and day: `${NOTICE_MARK_PREFIX}${teamId}:${day}`. */
const NOTICE_MARK_PREFIX = 'used-after-revoke:';
const noticeMarkId = (n: { teamId: string; day: string }) => `${NOTICE_MARK_PREFIX}${n.teamId}:${n.day}`;

/** Writes run in slices of this many documents: one flush of 10,000 active keys is ten commands. */
const INSERT_SLICE = 1000;

export function usageRepo(cols: Collections) {
  return {
    /** Inserts a flush; documents already there (a retried flush) are left as they are. */
    async insertFlush(records: UsageRecord[]): Promise<void> {
      for (let i = 0; i < records.length; i += INSERT_SLICE) {
        const docs = records.slice(i, i + INSERT_SLICE).map(({ id, ...rest }): UsageDoc => ({ _id: id, ...rest }));
        try {
          await cols.usage.insertMany(docs, { ordered: false });
        } catch (err) {
          if (!onlyDuplicates(err)) throw err;
        }
      }
    },

    /** Deletes superseded flush documents, each by `_id` (the one look-up FerretDB serves from an index). */
    async deleteSuperseded(ids: string[]): Promise<void> {
      for (let i = 0; i < ids.length; i += INSERT_SLICE) {
        const slice = ids.slice(i, i + INSERT_SLICE);
        await cols.usage.bulkWrite(slice.map((id) => ({ deleteOne: { filter: { _id: id } } })), { ordered: false });
      }
    },

    /**
     * The counts of a page of keys: every key since `since`, and the keys in
     * `older` further back, each since its own instant (a revoked key's tries
     * since its revocation). One query whatever the page size.
     */
    async countsOfKeys(teamId: string, keyIds: string[], since: Date, older: { keyIds: string[]; since: Date } | null): Promise<UsageCounts[]> {
      if (keyIds.length === 0) return [];
      const recent: Filter<UsageDoc> = { keyId: { $in: keyIds }, hour: { $gte: since } };
      const filter: Filter<UsageDoc> =
        older && older.keyIds.length > 0 && older.since < since
          ? { teamId, $or: [recent, { keyId: { $in: older.keyIds }, hour: { $gte: older.since, $lt: since } }] }
          : { teamId, ...recent };
      return cols.usage.find(filter, { projection: COUNT_FIELDS }).toArray() as Promise<UsageCounts[]>;
    },

    /** Everything recorded for one key since `since`, addresses included. */
    async ofKey(teamId: string, keyId: string, since: Date): Promise<UsageRecord[]> {
      const docs = await cols.usage.find({ teamId, keyId, hour: { $gte: since } }).toArray();
      return docs.map(({ _id, ...rest }) => ({ id: _id, ...rest }));
    },

    /** The newest document with a valid use of a key before `before` (its last address, past a range). */
    async lastValidUseBefore(teamId: string, keyId: string, before: Date): Promise<Pick<UsageDoc, 'lastValidAt' | 'lastValidIp' | 'lastValidUa'> | null> {
      const [doc] = await cols.usage
        .find({ teamId, keyId, hour: { $lt: before }, lastValidAt: { $ne: null } }, { projection: { _id: 0, lastValidAt: 1, lastValidIp: 1, lastValidUa: 1 } })
        .sort({ hour: -1, lastValidAt: -1 })
        .limit(1)
        .toArray();
      return doc ?? null;
    },

    /** The team's counts since `since`; addresses only when asked for (the CSV export). */
    async ofTeam(teamId: string, since: Date, withIps = false): Promise<(UsageCounts & Partial<Pick<UsageDoc, 'ips' | 'ipsCapped'>>)[]> {
      const projection = withIps ? { ...COUNT_FIELDS, ips: 1, ipsCapped: 1 } : COUNT_FIELDS;
      return cols.usage.find({ teamId, hour: { $gte: since } }, { projection }).toArray() as Promise<UsageCounts[]>;
    },

    /** Every team's documents since `since` with a failure of a stored key (the use-after-revoke pass). */
    async failuresSince(since: Date): Promise<(UsageCounts & { teamId: string })[]> {
      return cols.usage
        .find(
          { hour: { $gte: since }, keyId: { $ne: null }, $or: [{ revoked: { $gt: 0 } }, { disabled: { $gt: 0 } }, { expired: { $gt: 0 } }] },
          { projection: { ...COUNT_FIELDS, teamId: 1 } },
        )
        .toArray() as Promise<(UsageCounts & { teamId: string })[]>;
    },

    /** Verifies no stored key could be blamed for (MALFORMED, NOT_FOUND), since `since`; across teams, for operators. */
    async unattributedSince(since: Date): Promise<Pick<UsageDoc, 'instance' | 'seq' | 'hour' | 'malformed' | 'notFound'>[]> {
      return cols.usage
        .find({ keyId: null, hour: { $gte: since } }, { projection: { _id: 0, instance: 1, seq: 1, hour: 1, malformed: 1, notFound: 1 } })
        .toArray() as Promise<Pick<UsageDoc, 'instance' | 'seq' | 'hour' | 'malformed' | 'notFound'>[]>;
    },

    /** Retention: drops every hour before `cutoff`, and the use-after-revoke marks of those days. */
    async purgeBefore(cutoff: Date): Promise<number> {
      await cols.marks.deleteMany({ _id: { $regex: `^${NOTICE_MARK_PREFIX}` }, at: { $lt: cutoff } });
      return (await cols.usage.deleteMany({ hour: { $lt: cutoff } })).deletedCount;
    },

    /** The team's keys with what "never used" and "idle" need (reads `keys`; one pass over the team's keys). */
    async keyActivity(teamId: string): Promise<Pick<KeyDoc, 'status' | 'expiresAt' | 'lastUsedAt' | 'createdAt' | 'enabledAt'>[]> {
      return cols.keys.find({ teamId }, { projection: { _id: 0, status: 1, expiresAt: 1, lastUsedAt: 1, createdAt: 1, enabledAt: 1 } }).toArray() as Promise<
        Pick<KeyDoc, 'status' | 'expiresAt' | 'lastUsedAt' | 'createdAt' | 'enabledAt'>[]
      >;
    },

    /** When the team's use-after-revoke notice of `day` was sent, and the tries it reported in that hour. */
    async noticeSent(notice: { teamId: string; day: string }): Promise<{ at: Date; seen: { keyId: string; tries: number }[] } | null> {
      const doc = await cols.marks.findOne({ _id: noticeMarkId(notice) }, { projection: { at: 1, seen: 1 } });
      return doc ? { at: doc.at, seen: doc.seen ?? [] } : null;
    },

    /** Records that the team's notice of `day` was sent; the first record stays. */
    async markNoticeSent(notice: { teamId: string; day: string }, at: Date, seen: { keyId: string; tries: number }[]): Promise<void> {
      await insertOnce(cols.marks, noticeMarkId(notice), { at, seen });
    },
  };
}
export type UsageRepo = ReturnType<typeof usageRepo>;
