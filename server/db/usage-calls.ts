import type { Collections } from './collections';

/** What a policy-checked verification asked with (usage-tally.ts `RecordedCall`), as stored per (key, hour). */
export type RecordedCallFields = { ip: string | null; origin: string | null; permissions: string | null };

/** A recorded combination of a key's verifications, summed over the hours and instances read. */
export interface RecordedCalls {
  calls: (RecordedCallFields & { count: number })[];
  /** Verifications past the recording caps: counted, without what they asked. */
  capped: number;
}

/** The usage repo's reads of recorded calls (split from usage.repo.ts, which spreads them into its methods). */
export function recordedCallReads(cols: Collections) {
  return {
    /**
     * What the key's policy-checked verifications since `since` asked with, each combination with
     * its count, summed over hours and instances (keys.previewRestrictions replays them).
     */
    async callsOfKey(teamId: string, keyId: string, since: Date): Promise<RecordedCalls> {
      const docs = await cols.usage.find({ teamId, keyId, hour: { $gte: since } }, { projection: { _id: 0, calls: 1, callCounts: 1, callsCapped: 1 } }).toArray();
      const bySig = new Map<string, RecordedCallFields & { count: number }>();
      let capped = 0;
      for (const d of docs) {
        capped += d.callsCapped ?? 0;
        for (const [sig, count] of Object.entries(d.callCounts ?? {})) {
          const c = d.calls?.[sig];
          if (!c) continue;
          const seen = bySig.get(sig);
          // Nulls may come back absent from this engine (server/db/README.md).
          if (seen) seen.count += count;
          else bySig.set(sig, { ip: c.ip ?? null, origin: c.origin ?? null, permissions: c.permissions ?? null, count });
        }
      }
      return { calls: [...bySig.values()], capped };
    },
  };
}
