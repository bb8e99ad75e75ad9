import { parseKey } from '../../shared/key-format';
import type { VerifyFailureCode } from '../../shared/schemas/key';
import type { Deps } from '../deps';
import { verifyRefusal } from '../db/effective-status';
import type { KeysRepo } from '../db/keys.repo';
import type { RevisionsRepo } from '../db/revisions.repo';
import { keyMembership, MEMBERSHIP_DEFAULTS } from './key-membership';
import { withDeadline } from '../lib/deadline';
import { hashKey } from '../lib/ids';
import type { UsageRecorder, UseSource } from './usage-recorder';
import type { RolesRepo } from '../db/roles.repo';
import type { IdentitiesRepo } from '../db/identities.repo';
import type { Identity, Meta, VerifyContext } from '../../shared/schemas/policy';
import { checkedQuery, policyRefusal, resolvePolicy, type PolicyRefusal, type ResolvedPolicy } from './key-policy';
import type { Ratelimit, RatelimitState, VerifyLimitsRequest } from '../../shared/schemas/limits';
import type { LimitsService } from './limits.service';

/**
 * The verify hot path: checksum first (no database for junk), then the key's
 * state by `_id` — from a small in-process cache when possible.
 *
 * The cache is safe because key state only changes through the action engine,
 * which calls `keyStateChanged()`: this instance drops its cache at once (a
 * revoked key fails on the very next verify here), and bumps a revision
 * document that other instances poll every `revisionPollMs` (there, within that
 * window). Expiry needs no invalidation: it is checked against the clock on
 * every call. A generation counter keeps a read that raced a change from
 * re-caching the old state.
 *
 * "Last used" is recorded off the critical path, at most once per key per
 * minute per instance, and not when the stored value (read with the key's
 * state) is already that recent, which keeps it near once a minute across
 * instances; a failure to record it never fails a verification.
 * Usage counts (every outcome, with the caller's address) go to the usage
 * recorder, in memory: it writes them in the background.
 *
 * The key's policy (permissions with its roles', restrictions, meta, identity) is resolved with
 * the key on a cache miss and cached with it; a change of a key's policy, of a role or of an
 * identity calls `keyStateChanged()` like a revocation, so it reaches every instance as fast.
 * The checks themselves live in key-policy.ts.
 */
export const LAST_USED_INTERVAL_MS = 60_000;
/** A caller gets an answer (503 at worst) within this, even while the database is away. */
const LOOKUP_DEADLINE_MS = 6000;

export type VerifyResult =
  | ValidAnswer
  | { valid: false; code: Exclude<VerifyFailureCode, 'FORBIDDEN'>; ratelimits?: RatelimitState[]; credits?: { remaining: number } }
  | ({ valid: false } & PolicyRefusal);

type ValidAnswer = Readonly<{
      valid: true;
      keyId: string;
      teamId: string;
      ownerId: string;
      expiresAt: Date | null;
      permissions: string[];
      roles: string[];
      meta: Meta;
      identity: Identity | null;
      rotation?: { replacedBy: string; graceEndsAt: Date };
      ratelimits: readonly RatelimitState[];
      credits: { remaining: number } | null;
    }>;

/** What a verification asks besides the key: a permission query and its caller's context. */
export interface VerifyAsk {
  permissions?: string;
  context?: VerifyContext;
}

/** The key, with its rotation when it is the previous key of one (one document, read by `_id`), and its resolved policy. */
type StoredState = NonNullable<Awaited<ReturnType<KeysRepo['findForVerify']>>>;
/** `answer`: the valid answer, made once per cache fill (everything in it comes from the cached state). */
type KeyState = Omit<StoredState, 'policy'> & { policy: ResolvedPolicy; identityRatelimits: Ratelimit[]; answer?: ValidAnswer };

function validAnswer(key: KeyState): ValidAnswer {
  const { policy } = key;
  const valid = {
    valid: true as const,
    keyId: key.id,
    teamId: key.teamId,
    ownerId: key.ownerId,
    expiresAt: key.expiresAt,
    permissions: policy.permissions,
    roles: policy.roles,
    meta: policy.meta,
    identity: policy.identity,
    // A key whose limits apply to nothing answers these as they are; one with limits gets its own per call.
    ratelimits: [],
    credits: null,
  };
  // During a rotation's grace the caller hears which key replaces this one, to log a deprecation warning.
  return Object.freeze(key.rotation ? { ...valid, rotation: { replacedBy: key.rotation.replacedBy, graceEndsAt: key.rotation.graceEndsAt } } : valid);
}

export interface VerifyOptions {
  /** Max age of a cached key state; 0 turns the cache off. */
  cacheTtlMs: number;
  cacheMaxEntries: number;
  revisionPollMs: number;
  /** Unknown keys (not in the membership set) still read per second; see key-membership.ts. */
  unknownReadsPerSecond: number;
}

const DEFAULTS: VerifyOptions = { cacheTtlMs: 60_000, cacheMaxEntries: 100_000, revisionPollMs: 1000, ...MEMBERSHIP_DEFAULTS };
const UNKNOWN_SOURCE: UseSource = { ip: null, userAgent: null };

/** Last uses are written in batches this often (they are kept to the minute anyway). */
const TOUCH_BATCH_MS = 100;

export function verifyService(
  deps: Deps,
  repos: { keys: KeysRepo; revisions: RevisionsRepo; roles?: Pick<RolesRepo, 'findMany'>; identities?: Pick<IdentitiesRepo, 'find'> },
  options: Partial<VerifyOptions> = {},
  usage: Pick<UsageRecorder, 'record'> | null = null,
  /** Told when a canary key is presented; the caller hears NOT_FOUND either way. */
  canary: { triggered(key: { id: string; teamId: string }, source: UseSource, at: Date): void } | null = null,
  /** Rate limits and credits (issue 25), checked last. */
  limits: Pick<LimitsService, 'check' | 'identityRatelimits'> | null = null,
) {
  const opts = { ...DEFAULTS, ...options };
  const cache = new Map<string, { state: KeyState | null; at: number }>();
  // Filled by startWatching; until then every key is read.
  const membership = keyMembership(repos.keys, opts);
  /** hash -> when this instance last wrote (or skipped writing) lastUsedAt. */
  const lastTouched = new Map<string, number>();
  let generation = 0;
  let knownRevision: number | null = null;
  /** Last uses waiting to be written (hash -> when), written together by `writeTouches`. */
  const touches = new Map<string, Date>();
  let touching: Promise<void> | null = null;
  let poller: NodeJS.Timeout | null = null;

  function invalidate() {
    generation++;
    cache.clear();
  }

  function markRevoked(teamId: string, keyIds: Set<string>) {
    generation++;
    const at = Date.now();
    for (const [hash, entry] of cache) {
      if (entry.state?.teamId === teamId && keyIds.has(entry.state.id)) cache.set(hash, { state: { ...entry.state, status: 'revoked' }, at });
    }
  }

  async function loadState(hash: string): Promise<KeyState | null> {
    const now = Date.now();
    const hit = cache.get(hash);
    if (hit && now - hit.at < opts.cacheTtlMs) {
      // Map order is insertion order: moving a hit to the end keeps the least recently used first.
      cache.delete(hash);
      cache.set(hash, hit);
      return hit.state;
    }
    // A key that cannot exist is refused without a read, beyond a small budget of reads for keys created elsewhere a moment ago.
    if (!membership.admit(hash)) return null;
    const seen = generation;
    // Only a cache miss waits on the database, so only it needs a deadline (and a timer).
    const state = await withDeadline(readState(hash), LOOKUP_DEADLINE_MS, 'key look-up');
    if (state) membership.add(hash);
    if (opts.cacheTtlMs > 0 && seen === generation) {
      cache.delete(hash);
      // Evict the least recently used entry, never the whole cache: a stream of unknown keys cannot empty it for everyone.
      if (cache.size >= opts.cacheMaxEntries) cache.delete(cache.keys().next().value!);
      cache.set(hash, { state, at: now });
    }
    return state;
  }

  /** The key, then (only when it holds any) its roles and its identity. */
  async function readState(hash: string): Promise<KeyState | null> {
    const stored = await repos.keys.findForVerify(hash);
    if (!stored) return null;
    const { policy, ...key } = stored;
    const [roles, identity, identityRatelimits] = await Promise.all([
      policy.roles.length > 0 && repos.roles ? repos.roles.findMany(key.teamId, policy.roles) : [],
      policy.externalId && repos.identities ? repos.identities.find(key.teamId, policy.externalId) : null,
      // Issue 25: the identity's shared rate limits, cached with the key like the rest of its policy.
      policy.externalId && limits ? limits.identityRatelimits(key.teamId, policy.externalId) : [],
    ]);
    return { ...key, identityRatelimits, policy: resolvePolicy(policy, roles, identity && { id: identity.id, externalId: identity.externalId, meta: identity.meta }) };
  }

  function recordUse(hash: string, storedLastUsed: Date | null, now: Date) {
    const t = now.getTime();
    const local = lastTouched.get(hash);
    if (local !== undefined && t - local < LAST_USED_INTERVAL_MS) return;
    if (storedLastUsed && t - storedLastUsed.getTime() < LAST_USED_INTERVAL_MS) {
      lastTouched.set(hash, storedLastUsed.getTime());
      return;
    }
    lastTouched.set(hash, t);
    if (lastTouched.size > opts.cacheMaxEntries) lastTouched.delete(lastTouched.keys().next().value!);
    touches.set(hash, now);
    touching ??= writeTouches();
  }

  /**
   * Writes the queued last uses, a batch at a time, one batch in flight. One write per verify would
   * queue behind each other in the database (its writes take turns) and take the driver's
   * connections from the reads that verify waits for; a batch a tick costs a few commands.
   */
  async function writeTouches(): Promise<void> {
    try {
      while (touches.size > 0) {
        await new Promise((resolve) => setTimeout(resolve, TOUCH_BATCH_MS));
        const batch = [...touches].map(([hash, at]) => ({ hash, at }));
        touches.clear();
        await withDeadline(repos.keys.touchLastUsedMany(batch), 10_000, 'recording last use').catch((err) => {
          for (const { hash } of batch) lastTouched.delete(hash);
          deps.log.error('recording last use failed', err);
        });
      }
    } finally {
      touching = null;
    }
  }

  return {
    /** `source` is who presented the key, for usage analytics. */
    async verify(value: string, source: UseSource = UNKNOWN_SOURCE, ask: VerifyAsk = {}, spend: VerifyLimitsRequest | null = {}): Promise<VerifyResult> {
      // A query that does not parse is the caller's mistake (400), whatever the key.
      const query = ask.permissions === undefined ? null : checkedQuery(ask.permissions);
      // Where the key came from is its holder's address when the service passes one (the one restrictions
      // check), not the service's own: "Seen from" names the holder. A canary's alarm keeps the address that
      // called verify: whoever presents a canary may be its thief, and would pick the `context.ip` it names.
      const caller = source;
      if (ask.context?.ip !== undefined) source = { ip: ask.context.ip, userAgent: null };
      const parsed = parseKey(value);
      if (!parsed.ok) {
        usage?.record(null, 'MALFORMED', source, deps.now());
        return { valid: false, code: 'MALFORMED' };
      }
      const hash = hashKey(deps.pepper, parsed.key);
      const key = await loadState(hash);
      const now = deps.now();
      if (!key || key.canary) {
        // A canary is counted and answered exactly like an unknown key: nothing tells the caller it was a trap.
        usage?.record(null, 'NOT_FOUND', source, now);
        if (key) canary?.triggered(key, caller, now);
        return { valid: false, code: 'NOT_FOUND' };
      }
      // A rotated key's grace ends like an expiry, on the clock: the pass that records the revocation may come later.
      const graceOver = key.rotation !== null && key.rotation.graceEndsAt <= now;
      const code: VerifyFailureCode | null =
        graceOver ? 'REVOKED' : verifyRefusal(key, now);
      if (code) {
        usage?.record(key, code, source, now);
        return { valid: false, code };
      }
      const refusal = policyRefusal(key.policy, ask.context, query);
      const call = { ip: ask.context?.ip ?? null, origin: ask.context?.origin ?? null, permissions: query?.text ?? null };
      if (refusal) {
        usage?.record(key, refusal.code, source, now, call);
        return { valid: false, ...refusal };
      }
      // Last: rate limits and credits (a refused call spends neither); `spend: null` (GET /v1/me) applies none.
      const policy = key.policy;
      // A key with no limit and no credits (most keys) skips the check: it would apply nothing.
      const limitable = key.credits || (key.ratelimits?.length ?? 0) > 0 || key.identityRatelimits.length > 0;
      const limited = spend && limits && limitable ? await limits.check(hash, { ...key, identity: policy.identity && { id: policy.identity.id, ratelimits: key.identityRatelimits } }, spend, now) : null;
      usage?.record(key, limited && !limited.ok ? limited.code : 'valid', source, now, call);
      if (limited && !limited.ok) {
        const { ok: _ok, ...limitRefusal } = limited;
        return { valid: false, ...limitRefusal };
      }
      recordUse(hash, key.lastUsedAt, now);
      // One answer object per cached state, so the route serializes it once (verify.routes.ts); limits that applied make one per call.
      const answer = (key.answer ??= validAnswer(key));
      return limited && (limited.ratelimits.length > 0 || limited.credits !== null) ? { ...answer, ratelimits: limited.ratelimits, credits: limited.credits } : answer;
    },

    /**
     * Called after any key's status changed: drop the cache here, tell the other instances. A revocation
     * may name the keys it revoked: revocation is final, so their cached states turn revoked in place and
     * the rest of the cache stays (after a Revoke All, a busy team's verifies are not all sent to the database).
     */
    async keyStateChanged(revoked?: { teamId: string; keyIds: string[] }): Promise<void> {
      // The change is already written: a read racing this bump sees it, or is kept from caching by the generation.
      if (revoked) markRevoked(revoked.teamId, new Set(revoked.keyIds));
      else invalidate();
      const rev = await repos.revisions.advance('keys');
      // The next number after the one this instance knew: nothing else changed meanwhile, so the poll keeps the (corrected) cache.
      if (knownRevision !== null && rev === knownRevision + 1) knownRevision = rev;
    },

    /**
     * Polls the shared revision so changes made by other instances reach this
     * cache. The first revision read is the baseline, and it is read before
     * this returns: entries cached before any baseline existed used to survive
     * a change made before the first poll, for the cache's whole TTL. Until a
     * baseline is known (the first read failed), every poll drops the cache.
     */
    async startWatching(): Promise<void> {
      if (poller || opts.cacheTtlMs === 0) return;
      const sync = () => membership.sync().catch((err) => deps.log.error('reading new key hashes failed', err));
      const poll = () => {
        void sync();
        return repos.revisions.get('keys', { background: true }).then(
          (rev) => {
            if (rev !== knownRevision) invalidate();
            knownRevision = rev;
          },
          // Unknown state elsewhere: trust nothing cached.
          () => {
            knownRevision = null;
            invalidate();
          },
        );
      };
      poller = setInterval(poll, opts.revisionPollMs);
      poller.unref();
      await poll();
    },

    stopWatching() {
      if (poller) clearInterval(poller);
      poller = null;
    },

    /** For graceful shutdown and tests: resolves once queued last-used writes are done. */
    /** A key this instance just stored: verify knows it at once, even under a flood of made-up keys. */
    keyIssued(hash: string): void {
      membership.add(hash);
    },

    async flush(): Promise<void> {
      while (touching) await touching;
    },
  };
}
export type VerifyService = ReturnType<typeof verifyService>;
