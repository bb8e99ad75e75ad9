/**
 * Which key hashes exist, in memory, so a well-formed key nobody issued is
 * answered NOT_FOUND without a database read (issue 23: made-up keys are cheap
 * to make, since the CRC32 is no secret).
 *
 * The set holds the first 16 hex digits of every key hash (64 bits: a made-up
 * key matches one by chance about once in 10^14 tries at 100,000 keys, and a
 * match only costs the read it would have cost anyway). It is filled from the
 * database when verify starts watching, then kept current by reading the keys
 * created since the last read, on every revision poll (an index range: usually
 * no rows), by every key a read finds, and by every key this instance stores.
 *
 * A key missing from the set is not refused outright: it may have been created
 * a moment ago on another instance. Up to `unknownReadsPerSecond` such keys a
 * second (per instance) still go to the database, so with no flood going on a
 * new key verifies everywhere at once. Under a flood the rest are refused; a
 * key created elsewhere in the meantime joins the set at the next poll, so it
 * is refused for at most the poll interval (`revisionPollMs`, 1 s by default).
 */
export interface KeyMembershipOptions {
  unknownReadsPerSecond: number;
}

export const MEMBERSHIP_DEFAULTS: KeyMembershipOptions = { unknownReadsPerSecond: 50 };

/** Keys created this long before the last read are read again: the creating instance's clock may lag. */
const CLOCK_MARGIN_MS = 60_000;

const prefix = (hash: string) => hash.slice(0, 16);

export function keyMembership(source: { hashesCreatedSince(since: Date | null): Promise<string[]> }, options: Partial<KeyMembershipOptions> = {}) {
  const opts = { ...MEMBERSHIP_DEFAULTS, ...options };
  const known = new Set<string>();
  let loaded = false;
  let syncedAt: number | null = null;
  let tokens = opts.unknownReadsPerSecond;
  let refilledAt = Date.now();
  let syncing: Promise<void> | null = null;

  function takeUnknownRead(): boolean {
    const now = Date.now();
    tokens = Math.min(opts.unknownReadsPerSecond, tokens + ((now - refilledAt) / 1000) * opts.unknownReadsPerSecond);
    refilledAt = now;
    if (tokens < 1) return false;
    tokens--;
    return true;
  }

  return {
    /** Whether verify should read `hash` from the database: a known hash, or an unknown one within the budget. */
    admit(hash: string): boolean {
      return !loaded || known.has(prefix(hash)) || takeUnknownRead();
    },
    /** A key a read found (or this instance created). */
    add(hash: string): void {
      known.add(prefix(hash));
    },
    /** Reads the keys created since the last sync (all of them the first time). Failures leave the set as it was. */
    sync(): Promise<void> {
      // One read at a time: a first fill of a large set may outlast a poll interval.
      syncing ??= read().finally(() => (syncing = null));
      return syncing;
    },
    get size(): number {
      return known.size;
    },
  };

  async function read(): Promise<void> {
      const startedAt = Date.now();
      const hashes = await source.hashesCreatedSince(syncedAt === null ? null : new Date(syncedAt - CLOCK_MARGIN_MS));
      for (const h of hashes) known.add(prefix(h));
      syncedAt = startedAt;
      loaded = true;
  }
}
export type KeyMembership = ReturnType<typeof keyMembership>;
