import type { Credits, KeyLimitsInput, Ratelimit, RatelimitState, VerifyLimitsRequest } from '../../shared/schemas/limits';
import type { CreditsAfterSpend, LimitsRepo, StoredCredits } from '../db/limits.repo';
import type { Deps } from '../deps';
import { refillPeriod } from './credit-periods';
import { creditsSpender, storedCredits } from './credits';
import { ratelimiter, type AppliedLimit } from './ratelimiter';

/**
 * Rate limits and credits (issue 25): what verify checks after the key's state and its policy, and
 * how an admin's settings are stored and shown. The decisions live in ratelimiter.ts (windows) and
 * credits.ts (balances); this module says which limits a call applies and in which order:
 * rate limits first (spent in memory, given back if the credits refuse), then credits, so a
 * refused call spends neither.
 */
export type LimitsVerdict =
  | { ok: true; ratelimits: RatelimitState[]; credits: { remaining: number } | null }
  | { ok: false; code: 'RATE_LIMITED'; ratelimits: RatelimitState[] }
  | { ok: false; code: 'USAGE_EXCEEDED'; credits: { remaining: number } };

/** What verify knows of the key (from its cached state). */
export interface LimitedKey {
  id: string;
  teamId: string;
  ratelimits?: Ratelimit[];
  credits?: StoredCredits | null;
  /** The identity's shared limits (issue 24's externalId), when the key has one. */
  identity?: { id: string; ratelimits: Ratelimit[] } | null;
}

export interface LimitsEvents {
  /** After every successful spend (`hash` names the key's document). */
  creditsSpent(after: CreditsAfterSpend, hash: string): void;
  /** A verify refused by `limits`. */
  rateLimited(key: { id: string; teamId: string }, at: Date, limits: string[]): void;
}

/** The limits a verify applies: every auto-applied one, plus the ones it names (with their cost). */
export function appliedLimits(key: LimitedKey, request: VerifyLimitsRequest): AppliedLimit[] {
  const named = new Map((request.ratelimits ?? []).map((r) => [r.name, r.cost ?? 1]));
  const pick = (scope: string, limits: Ratelimit[]) =>
    limits.filter((l) => l.autoApply || named.has(l.name)).map((l) => ({ scope: `${scope}:${l.name}`, name: l.name, limit: l.limit, durationMs: l.durationMs, cost: named.get(l.name) ?? 1 }));
  return [...pick(`k:${key.id}`, key.ratelimits ?? []), ...pick(`i:${key.identity?.id ?? ''}`, key.identity?.ratelimits ?? [])];
}

/** The credits as a row shows them: a refill that is due shows as done (the next verify writes it). */
export function rowCredits(c: StoredCredits | null | undefined, now: Date): Credits | null {
  if (!c) return null;
  const due = c.refill !== null && (c.period === null || c.period < refillPeriod(c.refill, now));
  return { remaining: due ? c.refill!.amount : c.remaining, refill: c.refill };
}

/** The stored fields of an admin's settings (absent ones untouched). */
export function limitFields(input: KeyLimitsInput, now: Date): { ratelimits?: Ratelimit[]; credits?: StoredCredits | null } {
  return {
    ...(input.ratelimits !== undefined ? { ratelimits: input.ratelimits } : {}),
    ...(input.credits !== undefined ? { credits: input.credits === null ? null : storedCredits(input.credits, now) } : {}),
  };
}

export function limitsService(deps: Deps, repos: { limits: LimitsRepo }, events: LimitsEvents | null = null) {
  const windows = ratelimiter(repos.limits);
  const credits = creditsSpender(
    repos.limits,
    (after, hash) => events?.creditsSpent(after, hash),
    (err) => deps.log.error('reserving or giving back a slice of credits failed', err),
  );

  return {
    /** Verify's last checks, after the key's state and policy. `hash` names the key's document. */
    async check(hash: string, key: LimitedKey, request: VerifyLimitsRequest, now: Date): Promise<LimitsVerdict> {
      const limits = appliedLimits(key, request);
      const taken = limits.length > 0 ? await windows.take(limits, now.getTime()) : { ok: true, states: [], undo: () => {} };
      if (!taken.ok) {
        events?.rateLimited(key, now, taken.states.filter((s) => s.remaining === 0).map((s) => s.name));
        return { ok: false, code: 'RATE_LIMITED', ratelimits: taken.states };
      }
      if (!key.credits) return { ok: true, ratelimits: taken.states, credits: null };
      let answer;
      try {
        answer = await credits.spend(hash, key.credits, request.cost ?? 1, now);
      } catch (err) {
        taken.undo();
        throw err;
      }
      if (!answer.ok) {
        taken.undo();
        return { ok: false, code: 'USAGE_EXCEEDED', credits: { remaining: answer.remaining } };
      }
      return { ok: true, ratelimits: taken.states, credits: { remaining: answer.remaining } };
    },

    /** What verify caches with a key that has an identity: the identity's shared limits. */
    identityRatelimits: (teamId: string, externalId: string) => repos.limits.identityRatelimits(teamId, externalId),
    setIdentityRatelimits: (teamId: string, externalId: string, ratelimits: Ratelimit[]) => repos.limits.setIdentityRatelimits(teamId, externalId, ratelimits),

    /** An admin's change of a key's limits; false when the key is not in the team or no longer works (revoked, expired). */
    async setKeyLimits(teamId: string, keyId: string, input: Partial<KeyLimitsInput>): Promise<boolean> {
      const now = deps.now();
      return repos.limits.setKeyLimits(teamId, keyId, limitFields(input, now), now);
    },

    /** On shutdown, after the last verify: unspent slices of credits go back (a crash loses them). */
    stop: () => credits.stop(),
  };
}
export type LimitsService = ReturnType<typeof limitsService>;
