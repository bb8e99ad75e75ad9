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
    /** Counts a failed attempt; only while the stored attempts match, so concurrent guesses cannot share one attempt. */
    async recordFailedAttempt(emailHash: string, seenAttempts: number): Promise<boolean> {
      const res = await cols.loginCodes.updateOne({ _id: emailHash, attempts: seenAttempts }, { $inc: { attempts: 1 } });
      return res.modifiedCount === 1;
    },
    /** Consumes a code exactly once (the delete that matched wins). */
    async consumeLoginCode(emailHash: string, codeHash: string): Promise<boolean> {
      const res = await cols.loginCodes.deleteOne({ _id: emailHash, codeHash });
      return res.deletedCount === 1;
    },
    /** Fixed-window counter: returns the count after this hit. */
    async hit(bucket: string, windowEnd: Date): Promise<number> {
      await cols.rateLimits.updateOne({ _id: bucket }, { $inc: { count: 1 }, $setOnInsert: { expiresAt: windowEnd } }, { upsert: true });
      const doc = await cols.rateLimits.findOne({ _id: bucket });
      return doc?.count ?? 1;
    },
    async purgeExpired(now: Date): Promise<void> {
      await cols.rateLimits.deleteMany({ expiresAt: { $lt: now } });
      await cols.loginCodes.deleteMany({ expiresAt: { $lt: now } });
      await cols.sessions.deleteMany({ expiresAt: { $lt: now } });
    },
  };
}
export type AuthRepo = ReturnType<typeof authRepo>;
