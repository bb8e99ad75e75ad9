import { randomBase62 } from '../../shared/key-format';
import type { VerifyFailureCode } from '../../shared/schemas/key';
import type { UsageDelta, UsageRepo } from '../db/usage.repo';
import type { Deps } from '../deps';
import { withDeadline } from '../lib/deadline';
import { floorHour } from './usage-buckets';
import { countCall, MAX_IP_LENGTH, newTally, takeDelta, type RecordedCall, type Tally } from './usage-tally';

export type { RecordedCall };

/**
 * Counts verifications in memory and writes them in the background, so no
 * verify ever waits on it.
 *
 * Per (key, UTC hour) this instance counts what happened since its last
 * flush; a flush, at most `flushIntervalMs` after the first count it has not
 * written, adds those counts to the one shared document of each (key, hour)
 * with `$inc`, under a flush id (`${instance}:${seq}`) the same update records.
 * A flush whose outcome is unknown (the write failed, or its answer was lost)
 * is sent again under the same id until it is confirmed: if it had landed, the
 * repeat changes nothing, so nothing is ever counted twice or lost.
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
/** Unconfirmed flushes kept per (key, hour); past that, new counts wait in the tally until one is confirmed. */
const MAX_UNCONFIRMED = 8;
const FLUSH_DEADLINE_MS = 30_000;

export function usageRecorder(deps: Deps, repo: Pick<UsageRepo, 'addFlushes'>, options: UsageRecorderOptions) {
  const instance = randomBase62(12);
  let seq = 0;
  /** hour -> keyId ('' for unattributable verifies) -> counts since the last flush. */
  const hours = new Map<number, Map<string, Tally>>();
  let timer: NodeJS.Timeout | null = null;
  let stopped = false;
  let running: Promise<void> | null = null;
  let queued: Promise<void> | null = null;
  const stats = { flushes: 0, failedFlushes: 0, documents: 0, maxDocumentsPerFlush: 0, maxKeysPerFlush: 0, flushMs: 0, maxFlushMs: 0 };

  const unsettled = (t: Tally) => t.pending || t.unconfirmed.length > 0;
  const hasWork = () => [...hours.values()].some((b) => [...b.values()].some(unsettled));

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
    const flushId = `${instance}:${++seq}`;
    const batch: { flushId: string; source: string; delta: UsageDelta; exists: boolean }[] = [];
    const sent: Tally[] = [];
    for (const bucket of hours.values()) {
      for (const tally of bucket.values()) {
        if (tally.pending && tally.unconfirmed.length < MAX_UNCONFIRMED) tally.unconfirmed.push({ flushId, delta: takeDelta(tally) });
        if (tally.unconfirmed.length === 0) continue;
        batch.push(...tally.unconfirmed.map((u) => ({ ...u, source: instance, exists: tally.stored })));
        sent.push(tally);
      }
    }
    if (batch.length > 0) {
      try {
        await withDeadline(repo.addFlushes(batch), FLUSH_DEADLINE_MS, 'flushing usage counts');
      } catch (err) {
        // Each may or may not have been stored: the next flush sends them again under the same ids.
        stats.failedFlushes++;
        throw err;
      }
      for (const tally of sent) {
        tally.unconfirmed = [];
        tally.stored = true;
      }
      stats.flushes++;
      stats.documents += sent.length;
      stats.maxDocumentsPerFlush = Math.max(stats.maxDocumentsPerFlush, sent.length);
      stats.maxKeysPerFlush = Math.max(stats.maxKeysPerFlush, new Set(sent.map((t) => t.keyId)).size);
    }
    // A past hour's counts are final once written.
    for (const [hour, bucket] of hours) {
      if (hour >= currentHour) continue;
      for (const [keyId, tally] of bucket) if (!unsettled(tally)) bucket.delete(keyId);
      if (bucket.size === 0) hours.delete(hour);
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

    /**
     * The hot path: a few map operations, no I/O. `call` is what a verification that passed the
     * key's state checks asked with (context and query), kept for `keys.previewRestrictions`.
     */
    record(key: { id: string; teamId: string } | null, outcome: VerifyOutcome, source: UseSource, now: Date, call?: RecordedCall): void {
      const t = now.getTime();
      const hour = floorHour(t);
      let bucket = hours.get(hour);
      if (!bucket) hours.set(hour, (bucket = new Map()));
      const slot = key?.id ?? '';
      let tally = bucket.get(slot);
      if (!tally) bucket.set(slot, (tally = newTally(key, hour)));
      tally.pending = true;
      if (outcome === 'MALFORMED') tally.malformed++;
      else if (outcome === 'NOT_FOUND') tally.notFound++;
      else {
        const ip = source.ip === null ? null : source.ip.slice(0, MAX_IP_LENGTH);
        if (ip !== null && !tally.ips.has(ip)) {
          if (tally.ips.size < USAGE_MAX_IPS) {
            tally.ips.add(ip);
            tally.newIps.push(ip);
          } else tally.ipsCapped = true;
        }
        if (call) countCall(tally, call);
        if (outcome === 'RATE_LIMITED') tally.rateLimited++;
        else if (outcome === 'USAGE_EXCEEDED') tally.usageExceeded++;
        else if (outcome === 'valid') {
          tally.valid++;
          tally.lastValid = { at: t, ip: source.ip, ua: source.userAgent };
        } else if (outcome === 'FORBIDDEN') tally.forbidden++;
        else if (outcome === 'INSUFFICIENT_PERMISSIONS') tally.insufficientPermissions++;
        else {
          if (outcome === 'REVOKED') tally.revoked++;
          else if (outcome === 'DISABLED') tally.disabled++;
          else tally.expired++;
          tally.lastFail = { at: t, code: outcome, ip: source.ip, ua: source.userAgent };
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
