import type { AnyBulkWriteOperation, Collection, Filter } from 'mongodb';
import type { VerifyCounts } from './activity-docs';
import { inSlices } from './write-slices';
import type { Collections, KeyDoc, UsageDoc } from './collections';
import { insertOnce, onlyDuplicates } from './insert-once';
import { recordedCallReads, type RecordedCallFields, type RecordedCalls } from './usage-calls';

/**
 * Usage totals, one document per (key, hour) (see UsageDoc). Every read names
 * the team and a time bound, and the per-key reads their keys, so MongoDB
 * serves them from `key_hour` / `team_hour`; on FerretDB v1 each is a scan of `usage`.
 */
/** The latest valid use and failure of a (key, hour), across instances. */
export interface LatestUses {
  lastValidAt: Date | null;
  lastValidIp: string | null;
  lastValidUa: string | null;
  lastFailAt: Date | null;
  lastFailCode: 'REVOKED' | 'DISABLED' | 'EXPIRED' | null;
  lastFailIp: string | null;
  lastFailUa: string | null;
}
export type UsageRecord = Omit<UsageDoc, '_id' | 'flushes' | 'lastValid' | 'lastFail'> & LatestUses & { id: string };
/** What counting needs; addresses and user agents only where asked for. */
export type UsageCounts = Pick<UsageDoc, 'keyId' | 'hour' | 'valid' | 'revoked' | 'disabled' | 'expired' | 'rateLimited' | 'usageExceeded' | 'forbidden' | 'insufficientPermissions'> & Pick<LatestUses, 'lastValidAt' | 'lastValidIp'>;

/** What one flush adds to one (key, hour): counts since the previous flush, new addresses, the latest use and failure. */
export interface UsageDelta extends VerifyCounts {
  teamId: string | null;
  keyId: string | null;
  hour: Date;
  ips: string[];
  ipsCapped: boolean;
  lastValid: { at: Date; ip: string | null; ua: string | null } | null;
  lastFail: { at: Date; code: 'REVOKED' | 'DISABLED' | 'EXPIRED'; ip: string | null; ua: string | null } | null;
  /** Refused by the key's policy; what policy-checked verifications asked with (usage-tally.ts), by signature. */
  forbidden?: number;
  insufficientPermissions?: number;
  calls?: ({ sig: string; count: number } & RecordedCallFields)[];
  callsCapped?: number;
}
export type { RecordedCalls };

const COUNT_FIELDS = { _id: 0, keyId: 1, hour: 1, valid: 1, revoked: 1, disabled: 1, expired: 1, rateLimited: 1, usageExceeded: 1, forbidden: 1, insufficientPermissions: 1, lastValid: 1 } as const;
const COUNTS = ['valid', 'revoked', 'disabled', 'expired', 'malformed', 'notFound', 'rateLimited', 'usageExceeded'] as const;

/** A document's flush ids are kept this long: a retry (seconds later, from the same instance) is recognised among them. */
const FLUSHES_KEPT = 100;

/** Use-after-revoke notices are marked sent per team and day: `${NOTICE_MARK_PREFIX}${teamId}:${day}`. */
const NOTICE_MARK_PREFIX = 'used-after-revoke:';
const noticeMarkId = (n: { teamId: string; day: string }) => `${NOTICE_MARK_PREFIX}${n.teamId}:${n.day}`;

/** Inserts run in slices of this many documents. */
const INSERT_SLICE = 1000;

const usageId = (keyId: string | null, hour: Date) => `${keyId ?? '-'}:${hour.getTime()}`;

/** The latest of the instances' entries. */
const latest = <T extends { at: Date }>(byInstance: Record<string, T> | undefined): T | null =>
  Object.values(byInstance ?? {}).reduce<T | null>((l, e) => (!l || e.at > l.at ? e : l), null);

/** A document's latest uses in the shape readers take. */
function latestUses(d: Partial<Pick<UsageDoc, 'lastValid' | 'lastFail'>>): LatestUses {
  const v = latest(d.lastValid);
  const f = latest(d.lastFail);
  return { lastValidAt: v?.at ?? null, lastValidIp: v?.ip ?? null, lastValidUa: v?.ua ?? null, lastFailAt: f?.at ?? null, lastFailCode: f?.code ?? null, lastFailIp: f?.ip ?? null, lastFailUa: f?.ua ?? null };
}

/** `lastValid`/`lastFail` read back in the flat shape of UsageCounts. */
const withLatest = <T extends Partial<Pick<UsageDoc, 'lastValid' | 'lastFail'>>>({ lastValid, lastFail, ...rest }: T) => ({ ...rest, ...latestUses({ lastValid, lastFail }) });

/**
 * The write of one flush to one (key, hour), on its document (which exists by then): counts,
 * addresses, the instance's latest use and failure and the flush id, in one update that matches
 * only while the flush id is not recorded, so it is a no-op when repeated. `source` names the
 * instance (field names allow neither `.` nor a leading `$`).
 */
function flushOp(flushId: string, source: string, d: UsageDelta): AnyBulkWriteOperation<UsageDoc> {
  const set: Record<string, unknown> = {};
  const inc: Record<string, number> = Object.fromEntries(COUNTS.map((f) => [f, d[f] ?? 0]));
  if (d.ipsCapped) set.ipsCapped = true;
  for (const [f, n] of [['forbidden', d.forbidden], ['insufficientPermissions', d.insufficientPermissions], ['callsCapped', d.callsCapped]] as const) if (n) inc[f] = n;
  for (const c of d.calls ?? []) {
    set[`calls.${c.sig}`] = { ip: c.ip, origin: c.origin, permissions: c.permissions };
    inc[`callCounts.${c.sig}`] = c.count;
  }
  if (d.lastValid) set[`lastValid.${source}`] = d.lastValid;
  if (d.lastFail) set[`lastFail.${source}`] = d.lastFail;
  return {
    updateOne: {
      filter: { _id: usageId(d.keyId, d.hour), flushes: { $ne: flushId } },
      update: {
        $inc: inc,
        $addToSet: { ips: { $each: d.ips } },
        $push: { flushes: { $each: [flushId], $slice: -FLUSHES_KEPT } },
        ...(Object.keys(set).length > 0 ? { $set: set } : {}),
      },
    },
  };
}

/** A (key, hour)'s document before anything was added to it. */
const emptyDoc = (d: UsageDelta): UsageDoc => ({
  _id: usageId(d.keyId, d.hour),
  teamId: d.teamId,
  keyId: d.keyId,
  hour: d.hour,
  ...Object.fromEntries(COUNTS.map((f) => [f, 0])) as unknown as VerifyCounts,
  ips: [],
  ipsCapped: false,
  lastValid: {},
  lastFail: {},
  flushes: [],
});

/** A (key, hour)'s document holding one flush, as if that flush's update had been applied to `emptyDoc`. */
function docWithFlush(f: Flush): UsageDoc {
  const d = f.delta;
  return {
    ...emptyDoc(d),
    ...(Object.fromEntries(COUNTS.map((c) => [c, d[c] ?? 0])) as unknown as VerifyCounts),
    ips: [...new Set(d.ips)],
    ipsCapped: d.ipsCapped,
    forbidden: d.forbidden ?? 0,
    insufficientPermissions: d.insufficientPermissions ?? 0,
    calls: Object.fromEntries((d.calls ?? []).map((c) => [c.sig, { ip: c.ip, origin: c.origin, permissions: c.permissions }])),
    callCounts: Object.fromEntries((d.calls ?? []).map((c) => [c.sig, c.count])),
    callsCapped: d.callsCapped ?? 0,
    lastValid: d.lastValid ? { [f.source]: d.lastValid } : {},
    lastFail: d.lastFail ? { [f.source]: d.lastFail } : {},
    flushes: [f.flushId],
  };
}

type Flush = { flushId: string; source: string; delta: UsageDelta; exists?: boolean };

/** Inserts in slices; a slice whose only errors are duplicates is not an error. True for each slice that inserted every document. */
async function insertSlices(cols: Collections, docs: UsageDoc[]): Promise<boolean[]> {
  const whole: boolean[] = [];
  for (let i = 0; i < docs.length; i += INSERT_SLICE) {
    try {
      await cols.usage.insertMany(docs.slice(i, i + INSERT_SLICE), { ordered: false });
      whole.push(true);
    } catch (err) {
      if (!onlyDuplicates(err)) throw err;
      whole.push(false);
    }
  }
  return whole;
}

/**
 * Adds flushes (each with its id) to the totals; a flush already added (a retry) changes nothing.
 * A document that may be missing (`exists` not set) and gets one flush here is inserted with that
 * flush in it: when its whole slice inserts, that flush needs no update (the common case: a key's
 * first flush of the hour costs one insert). Everything else is an update matching only while its
 * flush id is not recorded, after an insert of the empty document where it may be missing — so an
 * insert that lost to another instance, or a retry, is still counted exactly once.
 */
export async function addFlushes(cols: Collections, flushes: Flush[]): Promise<void> {
  const docId = (f: Flush) => usageId(f.delta.keyId, f.delta.hour);
  const perDoc = new Map<string, number>();
  for (const f of flushes) perDoc.set(docId(f), (perDoc.get(docId(f)) ?? 0) + 1);
  const alone = flushes.filter((f) => !f.exists && perDoc.get(docId(f)) === 1);
  const shared = flushes.filter((f) => !f.exists && perDoc.get(docId(f))! > 1);
  const settled = new Set<Flush>();
  (await insertSlices(cols, alone.map(docWithFlush))).forEach((whole, slice) => {
    if (whole) for (const f of alone.slice(slice * INSERT_SLICE, (slice + 1) * INSERT_SLICE)) settled.add(f);
  });
  await insertSlices(cols, [...new Map(shared.map((f) => [docId(f), emptyDoc(f.delta)])).values()]);
  await inSlices(
    cols.usage,
    flushes.filter((f) => !settled.has(f)).map((f) => flushOp(f.flushId, f.source, f.delta)),
  );
}

export function usageRepo(cols: Collections) {
  return {
    addFlushes: (flushes: Flush[]) => addFlushes(cols, flushes),
    ...recordedCallReads(cols),

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
      return (await cols.usage.find(filter, { projection: COUNT_FIELDS }).toArray()).map(withLatest);
    },

    /** Everything recorded for one key since `since`, addresses included. */
    async ofKey(teamId: string, keyId: string, since: Date): Promise<UsageRecord[]> {
      const docs = await cols.usage.find({ teamId, keyId, hour: { $gte: since } }, { projection: { flushes: 0 } }).toArray();
      return docs.map(({ _id, ...rest }) => ({ ...withLatest(rest), id: _id }));
    },

    /** The newest document with a valid use of a key before `before` (its last address, past a range). */
    async lastValidUseBefore(teamId: string, keyId: string, before: Date): Promise<Pick<LatestUses, 'lastValidAt' | 'lastValidIp' | 'lastValidUa'> | null> {
      const [doc] = await cols.usage
        .find({ teamId, keyId, hour: { $lt: before }, valid: { $gt: 0 } }, { projection: { _id: 0, lastValid: 1 } })
        .sort({ hour: -1 })
        .limit(1)
        .toArray();
      const uses = doc ? latestUses(doc) : null;
      return uses?.lastValidAt ? uses : null;
    },

    /** The team's counts since `since`; addresses only when asked for (the CSV export). */
    async ofTeam(teamId: string, since: Date, withIps = false): Promise<(UsageCounts & Partial<Pick<UsageDoc, 'ips' | 'ipsCapped'>>)[]> {
      const projection = withIps ? { ...COUNT_FIELDS, ips: 1, ipsCapped: 1 } : COUNT_FIELDS;
      return (await cols.usage.find({ teamId, hour: { $gte: since } }, { projection }).toArray()).map(withLatest);
    },

    /** Every team's documents since `since` with a failure of a stored key (the use-after-revoke pass). */
    async failuresSince(since: Date): Promise<(UsageCounts & { teamId: string })[]> {
      const docs = await cols.usage
        .find(
          { hour: { $gte: since }, keyId: { $ne: null }, $or: [{ revoked: { $gt: 0 } }, { disabled: { $gt: 0 } }, { expired: { $gt: 0 } }] },
          { projection: { ...COUNT_FIELDS, teamId: 1 } },
        )
        .toArray();
      return docs.map(withLatest) as (UsageCounts & { teamId: string })[];
    },

    /** Verifies no stored key could be blamed for (MALFORMED, NOT_FOUND), since `since`; across teams, for operators. */
    async unattributedSince(since: Date): Promise<Pick<UsageDoc, 'hour' | 'malformed' | 'notFound'>[]> {
      const docs = await cols.usage.find({ keyId: null, hour: { $gte: since } }, { projection: { _id: 0, hour: 1, malformed: 1, notFound: 1 } }).toArray();
      return (docs as Pick<UsageDoc, 'hour' | 'malformed' | 'notFound'>[]);
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

/** A usage document as versions before per-hour totals wrote it: one instance's running totals as of its flush `seq`. */
type SnapshotDoc = Omit<UsageDoc, 'flushes' | 'lastValid' | 'lastFail'> & LatestUses & { instance: string; seq: number };

/**
 * Folds the superseding snapshots of earlier versions into the per-(key, hour) totals: each
 * instance's newest snapshot of a (key, hour) is added under the flush id `legacy:{instance}`,
 * so two instances folding at once, or a fold re-run after a crash, add it once. The snapshots
 * are deleted only after everything read was added (today's code never writes them).
 */
export async function foldUsageSnapshots(cols: Collections): Promise<void> {
  const snapshots = cols.usage as unknown as Collection<SnapshotDoc>;
  const newest = new Map<string, SnapshotDoc>();
  for await (const d of snapshots.find({ instance: { $exists: true } })) {
    const id = `${d.instance}|${usageId(d.keyId, d.hour)}`;
    const seen = newest.get(id);
    if (!seen || seen.seq < d.seq) newest.set(id, d);
  }
  if (newest.size === 0) return;
  await addFlushes(
    cols,
    [...newest.values()].map((d) => ({
      flushId: `legacy:${d.instance}`,
      source: `legacy-${d.instance}`,
      delta: {
        valid: d.valid,
        revoked: d.revoked,
        disabled: d.disabled,
        expired: d.expired,
        malformed: d.malformed,
        notFound: d.notFound,
        teamId: d.teamId,
        keyId: d.keyId,
        hour: d.hour,
        ips: d.ips ?? [],
        ipsCapped: d.ipsCapped ?? false,
        lastValid: d.lastValidAt ? { at: d.lastValidAt, ip: d.lastValidIp ?? null, ua: d.lastValidUa ?? null } : null,
        lastFail: d.lastFailAt && d.lastFailCode ? { at: d.lastFailAt, code: d.lastFailCode, ip: d.lastFailIp ?? null, ua: d.lastFailUa ?? null } : null,
      },
    })),
  );
  await snapshots.deleteMany({ instance: { $exists: true } });
}
