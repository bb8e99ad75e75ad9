import { randomBase62 } from '../../shared/key-format';
import type { VerifyFailureCode } from '../../shared/schemas/key';
import type { UsageRecord, UsageRepo } from '../db/usage.repo';
import type { Deps } from '../deps';
import { withDeadline } from '../lib/deadline';
import { floorHour } from './usage-buckets';
import { MAX_IP_LENGTH, newTally, toRecord, type Tally } from './usage-tally';

/**
 * Counts verifications in memory and writes them in the background, so no
 * verify ever waits on it.
 *
 * Per (key, UTC hour) this instance keeps running totals; a flush, at most
 * `flushIntervalMs` after the first count it has not written, inserts one
 * document per (key, hour) that changed, with the totals so far and the id
 * `${instance}:${seq}:${keyId}:${hour}`. Because each document holds totals
 * and not a delta, a read takes the newest of each (instance, key, hour): a
 * retried flush re-inserts ids that exist (ignored), a flush whose answer was
 * lost is simply superseded by the next one, and nothing is ever counted
 * twice. Once a newer document is confirmed, the older ones are deleted by
 * `_id`, so reads stay at about one document per instance, key and hour.
 *
 * A restart starts a new instance id and loses only what was not flushed
 * yet; `stop()` flushes first.
 */
export type VerifyOutcome = 'valid' | VerifyFailureCode;
export interface UseSource {
  ip: string | null;
  userAgent: string | null;
}

export interface UsageRecorderOptions {
  flushIntervalMs: number;
}

/** Addresses kept per key, hour and instance (`ipsCapped` past it). */
export const USAGE_MAX_IPS = 100;
/** Unconfirmed ids remembered per (key, hour) for clean-up; older ones are left to the reads' de-duplication. */
const MAX_UNCONFIRMED = 8;
const MAX_SUPERSEDED = 200_000;
const FLUSH_DEADLINE_MS = 30_000;

export function usageRecorder(deps: Deps, repo: Pick<UsageRepo, 'insertFlush' | 'deleteSuperseded'>, options: UsageRecorderOptions) {
  const instance = randomBase62(12);
  let seq = 0;
  /** hour -> keyId ('' for unattributable verifies) -> running totals. */
  const hours = new Map<number, Map<string, Tally>>();
  let superseded: string[] = [];
  let timer: NodeJS.Timeout | null = null;
  let stopped = false;
  let running: Promise<void> | null = null;
  let queued: Promise<void> | null = null;
  const stats = { flushes: 0, failedFlushes: 0, documents: 0, maxDocumentsPerFlush: 0, maxKeysPerFlush: 0, flushMs: 0, maxFlushMs: 0 };

  const hasWork = () => superseded.length > 0 || [...hours.values()].some((b) => [...b.values()].some((t) => t.version !== t.written));

  function schedule() {
    timer = setTimeout(tick, options.flushIntervalMs);
    timer.unref();
  }

  function tick() {
    timer = null;
    flush()
      .catch((err) => deps.log.error('flushing usage counts failed (the next flush writes them)', err))
      .finally(() => {
        if (!stopped && timer === null && hasWork()) schedule();
      });
  }

  async function flushOnce(): Promise<void> {
    const started = performance.now();
    const currentHour = floorHour(deps.now().getTime());
    seq++;
    const batch: { tally: Tally; version: number; id: string }[] = [];
    const records: UsageRecord[] = [];
    for (const [hour, bucket] of hours) {
      for (const tally of bucket.values()) {
        if (tally.version === tally.written) continue;
        const id = `${instance}:${seq}:${tally.keyId ?? '-'}:${hour}`;
        batch.push({ tally, version: tally.version, id });
        records.push(toRecord(tally, instance, seq, id));
      }
    }
    if (records.length > 0) {
      try {
        await withDeadline(repo.insertFlush(records), FLUSH_DEADLINE_MS, 'flushing usage counts');
      } catch (err) {
        stats.failedFlushes++;
        // Each may or may not have been stored: whichever were are superseded once a later flush is confirmed.
        for (const b of batch) if (b.tally.unconfirmed.length < MAX_UNCONFIRMED) b.tally.unconfirmed.push(b.id);
        throw err;
      }
      for (const b of batch) {
        b.tally.written = b.version;
        if (b.tally.lastId) superseded.push(b.tally.lastId);
        superseded.push(...b.tally.unconfirmed);
        b.tally.unconfirmed = [];
        b.tally.lastId = b.id;
      }
      stats.flushes++;
      stats.documents += records.length;
      stats.maxDocumentsPerFlush = Math.max(stats.maxDocumentsPerFlush, records.length);
      stats.maxKeysPerFlush = Math.max(stats.maxKeysPerFlush, new Set(records.map((r) => r.keyId)).size);
    }
    // A past hour's totals are final once written: its newest document holds them.
    for (const [hour, bucket] of hours) {
      if (hour >= currentHour) continue;
      for (const [keyId, tally] of bucket) if (tally.version === tally.written) bucket.delete(keyId);
      if (bucket.size === 0) hours.delete(hour);
    }
    if (superseded.length > 0) {
      const ids = superseded;
      superseded = [];
      // Housekeeping only: reads ignore superseded documents, so a failure here loses nothing.
      await withDeadline(repo.deleteSuperseded(ids), FLUSH_DEADLINE_MS, 'deleting superseded usage documents').catch((err) => {
        superseded = [...ids, ...superseded].slice(-MAX_SUPERSEDED);
        deps.log.error('deleting superseded usage documents failed (retried at the next flush)', err);
      });
    }
    const took = performance.now() - started;
    stats.flushMs += took;
    stats.maxFlushMs = Math.max(stats.maxFlushMs, took);
  }

  /** Resolves once everything counted before the call is written; rejects if that write failed. */
  function flush(): Promise<void> {
    if (queued) return queued;
    if (!running) return (running = flushOnce().finally(() => (running = null)));
    queued = running
      .catch(() => {})
      .then(() => {
        queued = null;
        return flush();
      });
    return queued;
  }

  return {
    instance,

    /** The hot path: a few map operations, no I/O. */
    record(key: { id: string; teamId: string } | null, outcome: VerifyOutcome, source: UseSource, now: Date): void {
      const t = now.getTime();
      const hour = floorHour(t);
      let bucket = hours.get(hour);
      if (!bucket) hours.set(hour, (bucket = new Map()));
      const slot = key?.id ?? '';
      let tally = bucket.get(slot);
      if (!tally) bucket.set(slot, (tally = newTally(key, hour)));
      tally.version++;
      if (outcome === 'MALFORMED') tally.malformed++;
      else if (outcome === 'NOT_FOUND') tally.notFound++;
      else {
        const ip = source.ip;
        if (ip !== null && !tally.ips.has(ip)) {
          if (tally.ips.size < USAGE_MAX_IPS) tally.ips.add(ip.length > MAX_IP_LENGTH ? ip.slice(0, MAX_IP_LENGTH) : ip);
          else tally.ipsCapped = true;
        }
        if (outcome === 'valid') {
          tally.valid++;
          tally.lastValidAt = t;
          tally.lastValidIp = ip;
          tally.lastValidUa = source.userAgent;
        } else {
          if (outcome === 'REVOKED') tally.revoked++;
          else if (outcome === 'DISABLED') tally.disabled++;
          else tally.expired++;
          tally.lastFailAt = t;
          tally.lastFailCode = outcome;
          tally.lastFailIp = ip;
          tally.lastFailUa = source.userAgent;
        }
      }
      if (timer === null && !stopped) schedule();
    },

    flush,

    /** Graceful shutdown: no more timers, and what was counted is written (a failure is logged). */
    async stop(): Promise<void> {
      stopped = true;
      if (timer) clearTimeout(timer);
      timer = null;
      await flush().catch((err) => deps.log.error('the last usage flush failed: counts since the previous one are lost', err));
    },

    /** For the benchmark and tests: flushes, documents written, the largest flush, time spent writing. */
    stats: () => ({ ...stats, instance, seq }),
  };
}
export type UsageRecorder = ReturnType<typeof usageRecorder>;
