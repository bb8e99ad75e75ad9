import type { Collections } from './collections';

/** Sessions, one-time sign-in codes and rate-limit counters; every secret is stored hashed, as `_id` or a field. */
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
    /** One live code per email: a new request replaces the previous code. */
    async putLoginCode(c: { emailHash: string; codeHash: string; createdAt: Date; expiresAt: Date }): Promise<void> {
      await cols.loginCodes.replaceOne(
        { _id: c.emailHash },
        { codeHash: c.codeHash, attempts: 0, createdAt: c.createdAt, expiresAt: c.expiresAt },
        { upsert: true },
      );
    },
    async findLoginCode(emailHash: string) {
      return cols.loginCodes.findOne({ _id: emailHash });
    },
    /** Remembers how many attempts were used (a hint for takeSlot; the slots are the truth). */
    async noteAttempt(emailHash: string, codeCreatedAt: Date): Promise<void> {
      // Scoped to this code: a late wrong guess must not eat into a newer code's attempts.
      await cols.loginCodes.updateOne({ _id: emailHash, createdAt: codeCreatedAt }, { $inc: { attempts: 1 } });
    },
    /** Consumes a code exactly once (the delete that matched wins). */
    async consumeLoginCode(emailHash: string, codeHash: string): Promise<boolean> {
      const res = await cols.loginCodes.deleteOne({ _id: emailHash, codeHash });
      return res.deletedCount === 1;
    },
    /**
     * Takes one of `limit` numbered slots in `bucket`, or returns false when all
     * are taken. Each slot is a document with a fixed `_id`, and inserting a fixed
     * `_id` is atomic on every engine — a counter update is not on FerretDB, where
     * parallel requests could all read the same count and slip past a limit.
     * `hint` (a count of slots known to be taken) only saves round trips.
     */
    async takeSlot(bucket: string, limit: number, expiresAt: Date, hint = 0): Promise<boolean> {
      // A full bucket answers with one look-up, not `limit` failing inserts.
      if (limit > 0 && (await cols.rateLimits.findOne({ _id: `${bucket}#${limit - 1}` }, { projection: { _id: 1 } }))) return false;
      for (let n = Math.max(0, Math.min(hint, limit) - 1); n < limit; n++) {
        try {
          await cols.rateLimits.insertOne({ _id: `${bucket}#${n}`, count: 1, expiresAt });
          return true;
        } catch (err) {
          if ((err as { code?: number }).code !== 11000) throw err;
        }
      }
      return false;
    },
    async purgeExpired(now: Date): Promise<void> {
      await cols.rateLimits.deleteMany({ expiresAt: { $lt: now } });
      await cols.loginCodes.deleteMany({ expiresAt: { $lt: now } });
      await cols.sessions.deleteMany({ expiresAt: { $lt: now } });
    },
  };
}
export type AuthRepo = ReturnType<typeof authRepo>;
