import { isAdminRole, type Role } from '../../shared/schemas/common';
import type { DeniedCounts, FailedCounts, KeyUsage, KeyUsageSummary, UsageBucket, UsageOverview, UsageRange } from '../../shared/schemas/usage';
import type { KeysRepo, StoredKey } from '../db/keys.repo';
import type { UsageRepo } from '../db/usage.repo';
import type { Deps } from '../deps';
import { notFound } from '../errors';
import { effectiveStatus } from '../db/effective-status';
import { DAY_MS } from '../../shared/time';
import { IDLE_DAYS, idleCutoff } from '../../shared/idle';
import { addDenials, addFailures, deniedTotal, failedTotal, last24hStart, noDenials, noFailures, rangeBuckets } from './usage-buckets';
import { usageRecorder, type UsageRecorderOptions } from './usage-recorder';

/**
 * Usage analytics: the recorder the verify API counts into, and the reads
 * behind `keys.usage`, `keys.usageSummary`, `usage.overview` and the usage
 * CSV. Every read is bounded by team, time and (per key) key id, and reads
 * one document per (key, hour) (see UsageDoc).
 */
export interface UsageOptions extends UsageRecorderOptions {
  retentionDays: number;
}

export const DEFAULT_USAGE_OPTIONS: UsageOptions = { flushIntervalMs: 10_000, retentionDays: 90 };
const TOP_KEYS = 10;

export interface UsageViewer {
  userId: string;
  role: Role;
}

export interface UsageCsvRow {
  keyId: string;
  name: string;
  hint: string;
  at: Date;
  valid: number;
  failed: FailedCounts;
  denied: DeniedCounts;
  distinctIps: number;
}

export function usageService(deps: Deps, repos: { usage: UsageRepo; keys: KeysRepo }, options: Partial<UsageOptions> = {}) {
  const opts = { ...DEFAULT_USAGE_OPTIONS, ...options };
  const recorder = usageRecorder(deps, repos.usage, opts);

  /** The key, if the viewer may see it: admins any key of the team, members their own. Otherwise NOT_FOUND, like a key that does not exist. */
  async function visibleKey(viewer: UsageViewer, teamId: string, keyId: string) {
    const key = await repos.keys.findByPublicId(teamId, keyId);
    if (!key || (!isAdminRole(viewer.role) && key.ownerId !== viewer.userId)) throw notFound('Key not found.');
    return key;
  }

  const emptyBuckets = (range: UsageRange, now: Date) => {
    const r = rangeBuckets(range, now);
    const buckets = Array.from({ length: r.count }, (_, i): UsageBucket => ({ at: new Date(r.start + i * r.size), valid: 0, failed: noFailures(), denied: noDenials(), distinctIps: 0 }));
    return { ...r, buckets, slot: (hour: Date) => Math.floor((hour.getTime() - r.start) / r.size) };
  };

  return {
    recorder,
    /** Writes what was counted so far (tests, shutdown); rejects if the write failed. */
    flush: () => recorder.flush(),
    /** Graceful shutdown: a last flush. */
    stop: () => recorder.stop(),

    async keyUsage(viewer: UsageViewer, teamId: string, keyId: string, range: UsageRange): Promise<KeyUsage> {
      const key = await visibleKey(viewer, teamId, keyId);
      const now = deps.now();
      const b = emptyBuckets(range, now);
      const docs = await repos.usage.ofKey(teamId, keyId, new Date(b.start));
      const totals = { valid: 0, failed: noFailures(), denied: noDenials() };
      const ipsOf = b.buckets.map(() => new Set<string>());
      const allIps = new Set<string>();
      let capped = false;
      let lastValid: (typeof docs)[number] | null = null;
      let lastFail: (typeof docs)[number] | null = null;
      for (const d of docs) {
        const i = b.slot(d.hour);
        const bucket = b.buckets[i];
        if (!bucket) continue;
        bucket.valid += d.valid;
        addFailures(bucket.failed, d);
        addDenials(bucket.denied, d);
        totals.valid += d.valid;
        addFailures(totals.failed, d);
        addDenials(totals.denied, d);
        for (const ip of d.ips) {
          ipsOf[i]!.add(ip);
          allIps.add(ip);
        }
        capped ||= d.ipsCapped;
        if (d.lastValidAt && (!lastValid || d.lastValidAt > lastValid.lastValidAt!)) lastValid = d;
        if (d.lastFailAt && (!lastFail || d.lastFailAt > lastFail.lastFailAt!)) lastFail = d;
      }
      b.buckets.forEach((bucket, i) => (bucket.distinctIps = ipsOf[i]!.size));
      // Past the range: the newest recorded use, else the key's own "last used" (which has no address).
      const last = lastValid ?? (await repos.usage.lastValidUseBefore(teamId, keyId, new Date(b.start)));
      return {
        keyId,
        range,
        bucket: b.bucket,
        buckets: b.buckets,
        totals,
        distinctIps: allIps.size,
        distinctIpsCapped: capped,
        lastUsedAt: last?.lastValidAt ?? key.lastUsedAt,
        lastIp: last?.lastValidIp ?? null,
        lastUserAgent: last?.lastValidUa ?? null,
        lastFailure: lastFail ? { at: lastFail.lastFailAt!, code: lastFail.lastFailCode!, ip: lastFail.lastFailIp, userAgent: lastFail.lastFailUa } : null,
      };
    },

    /** "N of the selected keys were used in the last 24 h": keys the viewer may not see are left out. */
    async summary(viewer: UsageViewer, teamId: string, keyIds: string[]): Promise<KeyUsageSummary> {
      const wanted = [...new Set(keyIds)];
      const found = (await repos.keys.findManyByPublicIds(teamId, wanted)).filter((k) => isAdminRole(viewer.role) || k.ownerId === viewer.userId);
      const byId = new Map(found.map((k) => [k.id, { keyId: k.id, last24h: 0, lastUsedAt: null as Date | null, lastIp: null as string | null, stored: k.lastUsedAt }]));
      const docs = await repos.usage.countsOfKeys(teamId, [...byId.keys()], new Date(last24hStart(deps.now())), null);
      for (const d of docs) {
        const entry = byId.get(d.keyId!);
        if (!entry) continue;
        entry.last24h += d.valid;
        if (d.lastValidAt && (!entry.lastUsedAt || d.lastValidAt > entry.lastUsedAt)) {
          entry.lastUsedAt = d.lastValidAt;
          entry.lastIp = d.lastValidIp;
        }
      }
      const keys = wanted.flatMap((id) => {
        const e = byId.get(id);
        return e ? [{ keyId: e.keyId, last24h: e.last24h, lastUsedAt: e.lastUsedAt ?? e.stored, lastIp: e.lastIp }] : [];
      });
      return { keys, usedLast24h: keys.filter((k) => k.last24h > 0).length, totalLast24h: keys.reduce((n, k) => n + k.last24h, 0) };
    },

    /** The team at a glance (admins): verifications per bucket, the top keys, never-used and idle keys. */
    async overview(teamId: string, range: UsageRange): Promise<UsageOverview> {
      const now = deps.now();
      const b = emptyBuckets(range, now);
      // Idle is read with the Idle filter's own query (idleDays = IDLE_DAYS), so the card's count is the list's.
      const [docs, activity, idle] = await Promise.all([
        repos.usage.ofTeam(teamId, new Date(b.start)),
        repos.usage.keyActivity(teamId),
        repos.keys.listStatuses({ teamId, idleBefore: idleCutoff(IDLE_DAYS, now) }),
      ]);
      const totals = { valid: 0, failed: noFailures(), denied: noDenials() };
      const perKey = new Map<string, { valid: number; failed: number }>();
      for (const d of docs) {
        const bucket = b.buckets[b.slot(d.hour)];
        if (!bucket || !d.keyId) continue;
        bucket.valid += d.valid;
        addFailures(bucket.failed, d);
        addDenials(bucket.denied, d);
        totals.valid += d.valid;
        addFailures(totals.failed, d);
        addDenials(totals.denied, d);
        const k = perKey.get(d.keyId) ?? { valid: 0, failed: 0 };
        k.valid += d.valid;
        k.failed += d.revoked + d.disabled + d.expired;
        perKey.set(d.keyId, k);
      }
      const ranked = [...perKey].sort(([ia, a], [ib, b2]) => b2.valid - a.valid || b2.failed - a.failed || ia.localeCompare(ib)).slice(0, TOP_KEYS);
      const keys = new Map((await repos.keys.findManyByPublicIds(teamId, ranked.map(([id]) => id))).map((k) => [k.id, k]));
      const topKeys = ranked.flatMap(([keyId, counts]) => {
        const k = keys.get(keyId);
        return k ? [{ keyId, name: k.name, hint: k.hint, status: effectiveStatus(k, now).status, ...counts }] : [];
      });
      // "Working" is the list's Enabled: neither disabled nor revoked (nor expired).
      const working = <K extends Pick<StoredKey, 'status' | 'expiresAt'>>(keys: K[]) => keys.filter((k) => effectiveStatus({ ...k, revokedReason: null }, now).status === 'enabled');
      return {
        range,
        bucket: b.bucket,
        buckets: b.buckets.map(({ distinctIps: _, ...rest }) => rest),
        totals,
        keysUsed: [...perKey.values()].filter((k) => k.valid > 0).length,
        topKeys,
        neverUsed: working(activity).filter((k) => !k.lastUsedAt).length,
        unusedFor30Days: working(idle).length,
      };
    },

    /** The CSV export: one row per key and bucket with any use, oldest bucket first. */
    async *exportRows(teamId: string, range: UsageRange): AsyncGenerator<UsageCsvRow> {
      const b = emptyBuckets(range, deps.now());
      const docs = await repos.usage.ofTeam(teamId, new Date(b.start), true);
      const rows = new Map<string, UsageCsvRow & { ips: Set<string> }>();
      for (const d of docs) {
        const bucket = b.buckets[b.slot(d.hour)];
        if (!bucket || !d.keyId) continue;
        const id = `${bucket.at.getTime()}|${d.keyId}`;
        let row = rows.get(id);
        if (!row) rows.set(id, (row = { keyId: d.keyId, name: '', hint: '', at: bucket.at, valid: 0, failed: noFailures(), denied: noDenials(), distinctIps: 0, ips: new Set() }));
        row.valid += d.valid;
        addFailures(row.failed, d);
        addDenials(row.denied, d);
        for (const ip of d.ips ?? []) row.ips.add(ip);
      }
      const keys = new Map((await repos.keys.findManyByPublicIds(teamId, [...new Set([...rows.values()].map((r) => r.keyId))])).map((k) => [k.id, k]));
      const sorted = [...rows.values()].sort((x, y) => x.at.getTime() - y.at.getTime() || x.keyId.localeCompare(y.keyId));
      for (const { ips, ...row } of sorted) {
        if (row.valid === 0 && failedTotal(row.failed) === 0 && deniedTotal(row.denied) === 0) continue;
        const key = keys.get(row.keyId);
        yield { ...row, name: key?.name ?? '', hint: key?.hint ?? '', distinctIps: ips.size };
      }
    },

    /** Verifies no stored key can be blamed for, per hour, across all teams (for operators; no API exposes it). */
    async unattributed(since: Date): Promise<{ at: Date; malformed: number; notFound: number }[]> {
      const perHour = new Map<number, { at: Date; malformed: number; notFound: number }>();
      for (const d of await repos.usage.unattributedSince(since)) {
        const h = perHour.get(d.hour.getTime()) ?? { at: d.hour, malformed: 0, notFound: 0 };
        h.malformed += d.malformed;
        h.notFound += d.notFound;
        perHour.set(d.hour.getTime(), h);
      }
      return [...perHour.values()].sort((a, b) => a.at.getTime() - b.at.getTime());
    },

    /** Retention (USAGE_RETENTION_DAYS): drops whole hours older than that. */
    purge: () => repos.usage.purgeBefore(new Date(deps.now().getTime() - opts.retentionDays * DAY_MS)),
  };
}
export type UsageService = ReturnType<typeof usageService>;
