import type { Collections } from './collections';

/** Sessions, one-time sign-in codes and rate-limit counters; every secret is stored hashed, as `_id` or a field. */
/** A taken rate-limit slot: only `releaseSlots` looks inside (the slot documents are this repo's workaround). */
export type RateLimitSlot = string & { readonly __slot: unique symbol };

export function authRepo(cols: Collections) {
  return {
    async insertSession(s: { tokenHash: string; userId: string; createdAt: Date; expiresAt: Date }): Promise<void> {
      await cols.sessions.insertOne({ _id: s.tokenHash, userId: s.userId, createdAt: s.createdAt, expiresAt: s.expiresAt });
    },
    async findSession(tokenHash: string): Promise<{ userId: string; expiresAt: Date } | null> {
      const doc = await cols.sessions.findOne({ _id: tokenHash }, { projection: { userId: 1, expiresAt: 1 } });
      return doc ? { userId: doc.userId, expiresAt: doc.expiresAt } : null;
    },
    async deleteSession(tokenHash: string): Promise<void> {
      await cols.sessions.deleteOne({ _id: tokenHash });
    },
    /**
     * One document per code, under an `_id` of its own: a new request adds a code and
     * never touches the ones already emailed (replacing a document in place is not safe
     * on FerretDB, whose conditional writes are a read followed by a write by `_id`).
     */
    async insertLoginCode(c: { id: string; emailHash: string; codeHash: string; createdAt: Date; expiresAt: Date }): Promise<void> {
      await cols.loginCodes.insertOne({ _id: c.id, emailHash: c.emailHash, codeHash: c.codeHash, createdAt: c.createdAt, expiresAt: c.expiresAt });
    },
    /** The email's codes that are still valid, newest first; the request limits keep these few. */
    async findLiveLoginCodes(emailHash: string, now: Date, max: number): Promise<{ id: string; codeHash: string; expiresAt: Date }[]> {
      const docs = await cols.loginCodes
        .find({ emailHash, expiresAt: { $gt: now } }, { projection: { codeHash: 1, expiresAt: 1 } })
        .sort({ expiresAt: -1 })
        .limit(max)
        .toArray();
      return docs.map((d) => ({ id: d._id, codeHash: d.codeHash, expiresAt: d.expiresAt }));
    },
    /** Consumes a code exactly once (of racing deletes of one `_id`, one deletes it). */
    async consumeLoginCode(id: string): Promise<boolean> {
      const res = await cols.loginCodes.deleteOne({ _id: id });
      return res.deletedCount === 1;
    },
    /**
     * Takes one of `limit` numbered slots in `bucket` and returns its id, or null when
     * all are taken. Each slot is a document with a fixed `_id`, and inserting a fixed
     * `_id` is atomic on every engine — a counter update is not on FerretDB, where
     * parallel requests could all read the same count and slip past a limit.
     * `bucket` names its period (a window's start), so a slot id is never reused.
     */
    async takeSlot(bucket: string, limit: number, expiresAt: Date): Promise<RateLimitSlot | null> {
      // A full bucket answers with one look-up, not `limit` failing inserts.
      if (limit <= 0 || (await this.isFull(bucket, limit))) return null;
      for (let n = await firstFreeGuess(bucket, limit); n < limit; n++) {
        try {
          await cols.rateLimits.insertOne({ _id: `${bucket}#${n}`, expiresAt });
          return `${bucket}#${n}` as RateLimitSlot;
        } catch (err) {
          if ((err as { code?: number }).code !== 11000) throw err;
        }
      }
      return null;
    },
    /** Whether every slot of `bucket` is taken (its last one is: slots fill from the bottom). */
    async isFull(bucket: string, limit: number): Promise<boolean> {
      return (await cols.rateLimits.findOne({ _id: `${bucket}#${limit - 1}` }, { projection: { _id: 1 } })) !== null;
    },
    /** Gives slots back (a sign-in that succeeded does not count as a failed attempt). */
    async releaseSlots(ids: RateLimitSlot[]): Promise<void> {
      // One `_id` delete each: FerretDB serves only `_id` equality from an index.
      await Promise.all(ids.map((id) => cols.rateLimits.deleteOne({ _id: id })));
    },
    async purgeExpired(now: Date): Promise<void> {
      await cols.rateLimits.deleteMany({ expiresAt: { $lt: now } });
      await cols.loginCodes.deleteMany({ expiresAt: { $lt: now } });
      await cols.sessions.deleteMany({ expiresAt: { $lt: now } });
    },
  };

  /**
   * Where to start inserting: a binary search for the first free slot, so a bucket
   * with many slots taken costs a few look-ups rather than as many failing inserts.
   * A slot given back below the result is skipped, which can only refuse early.
   */
  async function firstFreeGuess(bucket: string, limit: number): Promise<number> {
    let lo = 0;
    let hi = limit - 1;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (await cols.rateLimits.findOne({ _id: `${bucket}#${mid}` }, { projection: { _id: 1 } })) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }
}
export type AuthRepo = ReturnType<typeof authRepo>;
