import type { Filter } from 'mongodb';
import type { Ratelimit } from '../../shared/schemas/limits';
import type { Collections, KeyDoc, RateLimitDoc } from './collections';
import { liveFilter } from './effective-status';
import type { StoredCredits } from './limits-docs';

export type { StoredCredits };

/** A key's credits after a spend, with what an alert names. */
export interface CreditsAfterSpend {
  keyId: string;
  teamId: string;
  ownerId: string;
  name: string;
  credits: StoredCredits;
}

const toAfter = (doc: Pick<KeyDoc, 'id' | 'teamId' | 'ownerId' | 'name' | 'credits'>): CreditsAfterSpend => ({
  keyId: doc.id,
  teamId: doc.teamId,
  ownerId: doc.ownerId,
  name: doc.name,
  credits: doc.credits!,
});

/**
 * (`findOneAndUpdate` here takes no projection: FerretDB v1 fails such a command, so the whole
 * document comes back and `toAfter` keeps what callers need.)
 *
 * Rate-limit windows and credits, each decided by one conditional write so that every instance
 * sharing the database sees one count (see ATOMIC.md): a window's budget is a counter in
 * `rate_limits` (purged by the auth job once `expiresAt` passes), credits live on the key itself.
 */
export function limitsRepo(cols: Collections) {
  return {
    /**
     * Reserves up to `want` of a window's `limit` for this instance; answers how many it got (0: the
     * window is spent). The take is conditional on the counter leaving room, so the sum of all
     * reservations never passes `limit`; a first reservation creates the window (a racing creator
     * gets a duplicate-key error and the next pass reads its counter instead).
     */
    async reserveWindow(id: string, limit: number, want: number, expiresAt: Date): Promise<{ granted: number; used: number }> {
      let take = Math.min(want, limit);
      for (let attempt = 0; attempt < 8 && take > 0; attempt++) {
        try {
          const doc = await cols.rateLimits.findOneAndUpdate(
            { _id: id, count: { $lte: limit - take } },
            { $inc: { count: take }, $setOnInsert: { expiresAt } },
            { upsert: true, returnDocument: 'after' },
          );
          if (doc) return { granted: take, used: doc.count };
        } catch {
          // The window exists and has less than `take` left (or a racing creator won): read it.
        }
        const doc = await cols.rateLimits.findOne({ _id: id } as Filter<RateLimitDoc>, { projection: { count: 1 } });
        if (!doc) continue;
        take = Math.min(take, limit - doc.count);
        if (take <= 0) return { granted: 0, used: doc.count };
      }
      return { granted: 0, used: limit };
    },

    /**
     * Spends `total` credits of a key if it has them: one conditional `$inc`, so concurrent spends
     * on any number of instances never take the balance below 0. Null when it has fewer.
     */
    async spendCredits(hash: string, total: number): Promise<CreditsAfterSpend | null> {
      const doc = await cols.keys.findOneAndUpdate(
        { _id: hash, 'credits.remaining': { $gte: total } },
        { $inc: { 'credits.remaining': -total } },
        { returnDocument: 'after' },
      );
      return doc?.credits ? toAfter(doc) : null;
    },

    /**
     * Takes `n` credits for this instance to spend in memory, only from the balance named by `period`
     * and `setAt` and only while `floor` credits stay stored after it (so the last credits are always
     * spent one conditional write at a time). Null when refused.
     */
    async reserveCredits(hash: string, n: number, floor: number, period: string | null, setAt: number | null): Promise<CreditsAfterSpend | null> {
      const doc = await cols.keys.findOneAndUpdate(
        { _id: hash, 'credits.remaining': { $gte: n + floor }, 'credits.period': period, 'credits.setAt': setAt },
        { $inc: { 'credits.remaining': -n } },
        { returnDocument: 'after' },
      );
      return doc?.credits ? toAfter(doc) : null;
    },

    /**
     * Gives back the unspent part of a slice, only to the balance it was reserved from: after a refill
     * or an admin's new balance it matches nothing and the slice is dropped. False when dropped.
     */
    async releaseCredits(hash: string, n: number, period: string | null, setAt: number | null): Promise<boolean> {
      const res = await cols.keys.updateOne(
        { _id: hash, 'credits.remaining': { $gte: 0 }, 'credits.period': period, 'credits.setAt': setAt },
        { $inc: { 'credits.remaining': n } },
      );
      return res.modifiedCount === 1;
    },

    /** The balance as stored now (a refused spend answers it). */
    async creditsOf(hash: string): Promise<StoredCredits | null> {
      const doc = await cols.keys.findOne({ _id: hash }, { projection: { _id: 0, credits: 1 } });
      return doc?.credits ?? null;
    },

    /**
     * Sets the balance to the refill `amount` for `period`, once: the filter matches only a balance of
     * an earlier period, and the same update records this one, so whichever instance gets there
     * first refills and every other (or a restarted one) finds nothing to do.
     */
    async refillCredits(hash: string, period: string, amount: number): Promise<boolean> {
      const res = await cols.keys.updateOne(
        { _id: hash, 'credits.refill': { $ne: null }, $or: [{ 'credits.period': null }, { 'credits.period': { $lt: period } }] },
        { $set: { 'credits.remaining': amount, 'credits.period': period, 'credits.base': amount, 'credits.lowAlerted': false, 'credits.exhaustedAlerted': false } },
      );
      return res.modifiedCount === 1;
    },

    /** One alert per crossing: true for the one call that flips the flag (cleared when the balance is set again). */
    async claimCreditsAlert(hash: string, flag: 'lowAlerted' | 'exhaustedAlerted'): Promise<boolean> {
      const res = await cols.keys.updateOne({ _id: hash, credits: { $ne: null }, [`credits.${flag}`]: { $ne: true } }, { $set: { [`credits.${flag}`]: true } });
      return res.modifiedCount === 1;
    },

    /** An identity's shared rate limits (issue 24's identities, `_id` `${teamId}:${externalId}`); [] when it has none. */
    async identityRatelimits(teamId: string, externalId: string): Promise<Ratelimit[]> {
      const doc = await cols.identities.findOne({ _id: `${teamId}:${externalId}` }, { projection: { _id: 0, ratelimits: 1 } });
      return doc?.ratelimits ?? [];
    },

    /** Sets an identity's shared rate limits; false when the identity does not exist. */
    async setIdentityRatelimits(teamId: string, externalId: string, ratelimits: Ratelimit[]): Promise<boolean> {
      const res = await cols.identities.updateOne({ _id: `${teamId}:${externalId}` }, { $set: { ratelimits } });
      return res.matchedCount === 1;
    },

    /** An admin's change of a key's limits (absent fields stay as they are). False when the key is not in the team. */
    /**
     * Moves a key's balance out, for its replacement (rotation): one write leaves 0 (its alerts marked
     * sent: the balance moved, nothing was used up) and answers what it held; null without credits.
     */
    async takeCredits(teamId: string, keyId: string): Promise<StoredCredits | null> {
      const doc = await cols.keys.findOneAndUpdate(
        { teamId, id: keyId, credits: { $ne: null } },
        { $set: { 'credits.remaining': 0, 'credits.lowAlerted': true, 'credits.exhaustedAlerted': true } },
        { returnDocument: 'before' },
      );
      return doc?.credits ?? null;
    },

    /** Sets a key's limits in one conditional write: false when the key is not in the team or no longer works at `now`. */
    async setKeyLimits(teamId: string, keyId: string, fields: { ratelimits?: Ratelimit[]; credits?: StoredCredits | null }, now: Date): Promise<boolean> {
      const res = await cols.keys.updateOne({ teamId, id: keyId, ...liveFilter(now) }, { $set: fields });
      return res.matchedCount === 1;
    },
  };
}
export type LimitsRepo = ReturnType<typeof limitsRepo>;
