import { randomBase62 } from '../../shared/key-format';
import type { ExpiringKey, KeyExpiryRepo } from '../db/key-expiry.repo';
import type { Batch, BatchItem, MarksRepo } from '../db/marks.repo';
import type { Deps } from '../deps';
import type { NoticeRequest, NotifyService } from './notify.service';
import { DAY_MS } from '../../shared/time';

/**
 * The expiry-warning pass: warns each owner once per key per threshold of
 * their team's `expiryWarningDays`, and sends `key_expired` once a key expires.
 *
 * Safe on N instances and across crashes: the work of a pass is written as a
 * batch first; each (key, threshold) is then claimed by a mark with a
 * deterministic id (`warn:<keyId>:<days>`, `expired:<keyId>`) inserted by
 * upsert, so whichever runner's batch claims it first owns it; notices are
 * keyed by batch + owner, and a batch a crash left pending is finished by the
 * next pass. So nothing is sent twice and nothing is lost.
 *
 * Catching up after downtime: when several thresholds have passed since the
 * last pass, only the smallest (the most urgent) is sent; a key that expired
 * gets only `key_expired`. A threshold that had already passed when the key
 * was created (a 3-day key and a 7-day warning) is never sent: its owner chose
 * that lifetime a moment ago. Expired keys are looked back on for
 * `catchUpMs` (7 days); a longer outage skips their `key_expired` notices
 * (their owners were warned before, and the badge counts them anyway).
 */
const PAGE = 500;

export interface ExpiryWarningOptions {
  catchUpMs: number;
  /** A pending batch older than this was left by a crashed runner. */
  resumeAfterMs: number;
}

export function expiryWarningsService(
  deps: Deps,
  repos: { keyExpiry: KeyExpiryRepo; marks: MarksRepo },
  notify: NotifyService,
  overrides: Partial<ExpiryWarningOptions> = {},
) {
  const options: ExpiryWarningOptions = { catchUpMs: 7 * DAY_MS, resumeAfterMs: 60_000, ...overrides };

  /** The one notice a key is due now, if any: `expired`, or the smallest threshold it is inside. */
  function dueItem(key: ExpiringKey, thresholds: number[], now: Date): BatchItem | null {
    const base = { keyId: key.id, teamId: key.teamId, ownerId: key.ownerId };
    if (key.expiresAt <= now) return { ...base, markId: `expired:${key.id}`, kind: 'expired', days: 0 };
    const remaining = key.expiresAt.getTime() - now.getTime();
    const inside = thresholds.filter((d) => remaining <= d * DAY_MS);
    if (inside.length === 0) return null;
    const days = Math.min(...inside);
    if (key.expiresAt.getTime() - days * DAY_MS <= key.createdAt.getTime()) return null;
    return { ...base, markId: `warn:${key.id}:${days}`, kind: 'warn', days };
  }

  async function process(batch: Batch): Promise<number> {
    const owned = await repos.marks.claim(batch.items.map((i) => i.markId), batch.id, batch.at);
    const items = batch.items.filter((i) => owned.has(i.markId));
    const keys = new Map((await repos.keyExpiry.findByIds(items.map((i) => i.keyId))).map((k) => [k.id, k]));
    const groups = new Map<string, { item: BatchItem; keys: ExpiringKey[] }>();
    for (const item of items) {
      const key = keys.get(item.keyId);
      if (!key) continue;
      const group = `${item.teamId}:${item.ownerId}:${item.kind}:${item.days}`;
      const entry = groups.get(group) ?? { item, keys: [] };
      entry.keys.push(key);
      groups.set(group, entry);
    }
    const requests = [...groups].map(([group, { item, keys: owned }]): NoticeRequest => ({
      source: `expiry:${batch.id}:${group}`,
      teamId: item.teamId,
      ownerId: item.ownerId,
      kind: item.kind === 'expired' ? 'key_expired' : 'key_expiring',
      keys: owned,
      revokedKeyIds: item.kind === 'expired' ? owned.map((k) => k.id) : [],
      actor: null,
      reason: item.kind === 'expired' ? 'expired' : null,
      thresholdDays: item.kind === 'warn' ? item.days : null,
      at: batch.at,
    }));
    await notify.publish(requests);
    await repos.marks.completeBatch(batch.id);
    return requests.length;
  }

  return {
    /** One pass; returns how many notices it wrote. */
    async run(): Promise<number> {
      let written = 0;
      for (const batch of await repos.marks.pendingBatches(new Date(deps.now().getTime() - options.resumeAfterMs), 20)) {
        written += await process(batch);
      }
      const now = deps.now();
      const thresholds = await repos.keyExpiry.warningDaysByTeam();
      const horizon = Math.max(0, ...[...thresholds.values()].flat());
      const from = new Date(now.getTime() - options.catchUpMs);
      const to = new Date(now.getTime() + horizon * DAY_MS);
      let after: { expiresAt: Date; id: string } | null = null;
      for (;;) {
        const page = await repos.keyExpiry.expiringBetween(from, to, after, PAGE);
        const due = page.map((k) => dueItem(k, thresholds.get(k.teamId) ?? [], now)).filter((i): i is BatchItem => i !== null);
        const done = await repos.marks.existing(due.map((i) => i.markId));
        const items = due.filter((i) => !done.has(i.markId));
        if (items.length > 0) {
          const batch: Batch = { id: randomBase62(16), at: now, items };
          await repos.marks.insertBatch(batch);
          written += await process(batch);
        }
        if (page.length < PAGE) break;
        const last = page[page.length - 1]!;
        after = { expiresAt: last.expiresAt, id: last.id };
      }
      return written;
    },
  };
}
export type ExpiryWarningsService = ReturnType<typeof expiryWarningsService>;
