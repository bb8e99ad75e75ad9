import type { Collections } from './collections';
import { onlyDuplicates } from './insert-once';

/** Sessions, sign-in attempts, device tokens and rate-limit counters; every secret is stored hashed, as `_id` or a field. */
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

    /** A new attempt beside the email's others: asking again never touches a code already emailed. */
    async insertAttempt(a: { attemptHash: string; emailHash: string; codeHash: string; deviceHash: string | null; createdAt: Date; expiresAt: Date }): Promise<void> {
      await cols.loginCodes.insertOne({ _id: a.attemptHash, emailHash: a.emailHash, codeHash: a.codeHash, attempts: 0, deviceHash: a.deviceHash, createdAt: a.createdAt, expiresAt: a.expiresAt });
    },
    /**
     * Takes one of the attempt's `max` checks, or answers why not: `unknown` (no such live attempt
     * of this email) or `spent`. One conditional `$inc`, so parallel guesses cannot share a check.
     */
    async takeCheck(attemptHash: string, emailHash: string, now: Date, max: number): Promise<{ codeHash: string; deviceHash: string | null } | 'unknown' | 'spent'> {
      const live = { _id: attemptHash, emailHash, expiresAt: { $gt: now } };
      const doc = await cols.loginCodes.findOneAndUpdate({ ...live, attempts: { $lt: max } }, { $inc: { attempts: 1 } }, { returnDocument: 'after' });
      if (doc) return { codeHash: doc.codeHash, deviceHash: doc.deviceHash ?? null };
      return (await cols.loginCodes.countDocuments(live, { limit: 1 })) ? 'spent' : 'unknown';
    },
    /** Uses an attempt's code exactly once (of racing deletes of one `_id`, one deletes it). */
    async consumeAttempt(attemptHash: string): Promise<boolean> {
      const res = await cols.loginCodes.deleteOne({ _id: attemptHash });
      return res.deletedCount === 1;
    },

    async insertDeviceToken(d: { tokenHash: string; emailHash: string; createdAt: Date; expiresAt: Date }): Promise<void> {
      await cols.deviceTokens.insertOne({ _id: d.tokenHash, emailHash: d.emailHash, createdAt: d.createdAt, expiresAt: d.expiresAt });
    },
    /** Whether the token is live and was given for this email. */
    async isDeviceOf(tokenHash: string, emailHash: string, now: Date): Promise<boolean> {
      return (await cols.deviceTokens.countDocuments({ _id: tokenHash, emailHash, expiresAt: { $gt: now } }, { limit: 1 })) > 0;
    },
    async deleteDeviceToken(tokenHash: string): Promise<void> {
      await cols.deviceTokens.deleteOne({ _id: tokenHash });
    },

    /**
     * Counts one in `bucket` if it is under `limit`; false when it is full. One conditional write:
     * a full counter does not match, so the upsert tries to insert its `_id` again and fails on the
     * unique `_id` — that is the refusal. The same error also greets the loser of two first takes
     * of a new bucket, whose counter is not full: the retry then matches it.
     */
    async takeFromBucket(bucket: string, limit: number, expiresAt: Date): Promise<boolean> {
      if (limit <= 0) return false;
      for (let tries = 0; ; tries++) {
        try {
          await cols.rateLimits.findOneAndUpdate({ _id: bucket, count: { $lt: limit } }, { $inc: { count: 1 }, $setOnInsert: { expiresAt } }, { upsert: true, returnDocument: 'after' });
          return true;
        } catch (err) {
          if (!onlyDuplicates(err)) throw err;
          if (tries === 1) return false;
        }
      }
    },
    async bucketIsFull(bucket: string, limit: number): Promise<boolean> {
      return (await cols.rateLimits.countDocuments({ _id: bucket, count: { $gte: limit } }, { limit: 1 })) > 0;
    },
    /** Gives one back (a sign-in that succeeded was not a failed check; a mail that failed was not sent). */
    async returnToBucket(bucket: string): Promise<void> {
      await cols.rateLimits.updateOne({ _id: bucket, count: { $gt: 0 } }, { $inc: { count: -1 } });
    },

    async purgeExpired(now: Date): Promise<void> {
      await cols.rateLimits.deleteMany({ expiresAt: { $lt: now } });
      await cols.loginCodes.deleteMany({ expiresAt: { $lt: now } });
      await cols.deviceTokens.deleteMany({ expiresAt: { $lt: now } });
      await cols.sessions.deleteMany({ expiresAt: { $lt: now } });
    },
  };
}
export type AuthRepo = ReturnType<typeof authRepo>;
