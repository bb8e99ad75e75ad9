import type { KeyCounts } from '../../shared/schemas/key';
import type { KeyCountScope } from '../db/key-list-query';
import type { KeysRepo, StoredKey } from '../db/keys.repo';
import type { RevisionsRepo } from '../db/revisions.repo';
import { effectiveStatus } from '../db/effective-status';

/**
 * Effective-status counts, computed once per team state and reused by every
 * page, sort and view of the dashboard and by the popup, so a list call reads
 * the team's keys once: for the page, and for the counts only when they are
 * not known, in the same read where it can (see withPage).
 *
 * The state is the pair of shared revisions that every change to a key bumps:
 * `keys` (status changes, through the action engine) and `alerts` (key
 * creation, among other things). Both are read before any key is, so a change
 * that races a count bumps them after the count's snapshot: that count is
 * stored under revisions nobody reads again. Each call re-reads them (two `_id`
 * look-ups), so every server instance sees a change on its next call.
 *
 * Time changes effective status too: a key stops counting as enabled or
 * disabled at its expiry instant. So an entry ends at the earliest expiry still
 * ahead among the keys it counted, and after `maxAgeMs` in any case, which
 * bounds what a failed bump (or a key written around the services) can leave.
 * The revisions are global, so a change in any team recounts every team, once.
 *
 * A scope with the Idle filter is counted on every call, never kept: a key
 * leaves it at its next use, which bumps no revision. (The Role and Identity
 * filters are kept: keys.update and roles.delete bump the `keys` revision.)
 */
export interface KeyCountsOptions {
  maxAgeMs: number;
  maxEntries: number;
}

const DEFAULTS: KeyCountsOptions = { maxAgeMs: 60_000, maxEntries: 1000 };

type Countable = Pick<StoredKey, 'status' | 'expiresAt'>;
type Entry = { revision: string; counts: KeyCounts; from: number; until: number };

export function keyCountsCache(repos: { keys: KeysRepo; revisions: RevisionsRepo }, options: Partial<KeyCountsOptions> = {}) {
  const opts = { ...DEFAULTS, ...options };
  /** In least-recently-used order. */
  const entries = new Map<string, Entry>();

  /** Every part of the scope, by name: a scope field added later fails the typecheck here until it is part of the key. */
  const keyOf = (scope: KeyCountScope) => {
    const parts: Record<keyof KeyCountScope, unknown> = {
      teamId: scope.teamId,
      ownerIds: [...new Set(scope.ownerIds ?? [])].sort(),
      search: scope.search ?? null,
      idleBefore: scope.idleBefore?.getTime() ?? null,
      role: scope.role ?? null,
      externalId: scope.externalId ?? null,
    };
    return JSON.stringify(parts);
  };
  const keepable = (scope: KeyCountScope) => scope.idleBefore === undefined;

  async function revision(): Promise<string> {
    const [keys, alerts] = await Promise.all([repos.revisions.get('keys'), repos.revisions.get('alerts')]);
    return `${keys}:${alerts}`;
  }

  function cached(rev: string, scope: KeyCountScope, now: Date): KeyCounts | null {
    if (!keepable(scope)) return null;
    const key = keyOf(scope);
    const hit = entries.get(key);
    const t = now.getTime();
    if (!hit || hit.revision !== rev || t < hit.from || t >= hit.until) return null;
    entries.delete(key);
    entries.set(key, hit);
    return hit.counts;
  }

  /** Counts `rows` (every key of the scope) at `now` and keeps them until the state or an effective status changes. */
  function store(rev: string, scope: KeyCountScope, rows: Countable[], now: Date): KeyCounts {
    const counts: KeyCounts = { enabled: 0, disabled: 0, revoked: 0 };
    let until = now.getTime() + opts.maxAgeMs;
    for (const row of rows) {
      counts[effectiveStatus({ ...row, revokedReason: null }, now).status]++;
      const expiry = row.expiresAt?.getTime();
      if (row.status !== 'revoked' && expiry !== undefined && expiry > now.getTime()) until = Math.min(until, expiry);
    }
    if (!keepable(scope)) return counts;
    const key = keyOf(scope);
    entries.delete(key);
    if (entries.size >= opts.maxEntries) entries.delete(entries.keys().next().value!);
    entries.set(key, { revision: rev, counts, from: now.getTime(), until });
    return counts;
  }

  return {
    /** The counts of `scope` at `now`: from the cache, or from one read of the scope's statuses. */
    async get(scope: KeyCountScope, now: Date): Promise<KeyCounts> {
      const rev = await revision();
      return cached(rev, scope, now) ?? store(rev, scope, await repos.keys.listStatuses(scope), now);
    },

    /**
     * A page of `scope` and the scope's counts, reading the scope once: the page
     * alone when the counts are cached; otherwise `readFirstPage` (a first page
     * with every status shown, read together with the scope's statuses) when
     * given, and else the page and the statuses side by side.
     */
    async withPage<K extends Countable>(
      scope: KeyCountScope,
      now: Date,
      readPage: () => Promise<K[]>,
      readFirstPage: (() => Promise<{ page: K[]; statuses: Countable[] }>) | null,
    ): Promise<{ page: K[]; counts: KeyCounts }> {
      const rev = await revision();
      const known = cached(rev, scope, now);
      if (known) return { page: await readPage(), counts: known };
      if (readFirstPage) {
        const { page, statuses } = await readFirstPage();
        return { page, counts: store(rev, scope, statuses, now) };
      }
      const [page, statuses] = await Promise.all([readPage(), repos.keys.listStatuses(scope)]);
      return { page, counts: store(rev, scope, statuses, now) };
    },
  };
}
export type KeyCountsCache = ReturnType<typeof keyCountsCache>;
