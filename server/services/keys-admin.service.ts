import { z } from 'zod';
import { parseKey } from '../../shared/key-format';
import { KeyStatusSchema, type ChangeResult, type KeyCounts, type KeyFilters, type KeyRow, type KeyStatus, type ListKeysQuery, type RevokeResult, MAX_MATCHING_KEYS, type KeysMatchingQuery } from '../../shared/schemas/key';
import { idleCutoff } from '../../shared/idle';
import { AppError, badRequest } from '../errors';
import type { Deps } from '../deps';
import type { KeyListPosition, KeyScope } from '../db/key-list-query';
import type { KeysRepo, StoredKey } from '../db/keys.repo';
import type { RevisionsRepo } from '../db/revisions.repo';
import type { TeamsRepo } from '../db/teams.repo';
import { cursorCodec, keysetPage } from '../lib/pagination';
import { hashKey } from '../lib/ids';
import type { Actor } from './actor';
import type { KeyActionsService } from './key-actions.service';
import { keyCountsCache } from './key-counts';
import { effectiveStatus } from '../db/effective-status';
import type { KeysService } from './keys.service';

/**
 * The admin dashboard's key operations over the whole team. Every change goes
 * through the key-actions engine (action record first, keys stamped with its
 * id), so an outage never leaves a bulk change half-applied without a trace.
 */
const listCursor = cursorCodec(z.object({ s: z.string(), c: z.number(), u: z.number().nullable(), i: z.string() }));

export function keysAdminService(deps: Deps, repos: { keys: KeysRepo; teams: TeamsRepo; revisions: RevisionsRepo }, keys: KeysService, actions: KeyActionsService) {
  const keyCounts = keyCountsCache(repos);

  /** Looks the requested ids up in the team; ids of other teams are simply not found. */
  async function resolve(teamId: string, keyIds: string[]) {
    const ids = [...new Set(keyIds)];
    const found = await repos.keys.findManyByPublicIds(teamId, ids);
    const foundIds = new Set(found.map((k) => k.id));
    return { ids, found, notFound: ids.filter((id) => !foundIds.has(id)) };
  }

  const isDead = (k: StoredKey, now: Date) => effectiveStatus(k, now).status === 'revoked';
  const split = (found: StoredKey[], changed: StoredKey[]) => {
    const changedIds = new Set(changed.map((k) => k.id));
    return { changed: found.filter((k) => changedIds.has(k.id)).map((k) => k.id), unchanged: found.filter((k) => !changedIds.has(k.id)).map((k) => k.id) };
  };

  /**
   * The one place the list's filters become a query: the list, its counts and the `*Matching`
   * actions all go through here. A filter added to KeyFilters fails the typecheck below until
   * it is turned into the query.
   */
  function queryOf(filters: KeyFilters, now: Date): { scope: KeyScope; view: KeyStatus[] } {
    const { teamId, view, search, generatedBy, idleDays, role, externalId, ...unhandled } = filters;
    unhandled satisfies Record<string, never>;
    const parsed = search ? parseKey(search) : null;
    const scope: KeyScope = { teamId };
    if (generatedBy) scope.ownerIds = generatedBy;
    if (search) scope.search = parsed?.ok ? { hash: hashKey(deps.pepper, parsed.key) } : { text: search };
    if (idleDays) scope.idleBefore = idleCutoff(idleDays, now);
    if (role) scope.role = role;
    if (externalId) scope.externalId = externalId;
    return { scope, view };
  }

  const MATCHING_PAGE = 1000;

  /**
   * The keys a "select all matching" acts on, resolved here from the list's filters (never a
   * client's id list), read at one instant. Refused (CONFLICT, nothing changed) when the set is no
   * longer the size the admin confirmed: a key added or changed since must not be swept up unseen.
   */
  async function matching({ expectedCount, ...filters }: KeysMatchingQuery): Promise<{ matched: StoredKey[]; now: Date }> {
    const now = deps.now();
    const { scope, view } = queryOf(filters, now);
    const spec = { ...scope, view, sort: 'newest' as const };
    const matched: StoredKey[] = [];
    for (let after: KeyListPosition | null = null; ; ) {
      const page = await repos.keys.list({ ...spec, after }, now, MATCHING_PAGE);
      matched.push(...page);
      if (matched.length > MAX_MATCHING_KEYS) throw badRequest(`More than ${MAX_MATCHING_KEYS} keys match these filters. Narrow them, or use Revoke All.`);
      if (page.length < MATCHING_PAGE) break;
      const last = page[page.length - 1]!;
      after = { createdAt: last.createdAt, lastUsedAt: last.lastUsedAt, id: last.id };
    }
    if (matched.length !== expectedCount) {
      throw new AppError(
        'CONFLICT',
        `The keys matching these filters changed since you selected them: ${expectedCount} then, ${matched.length} now. Nothing was changed. Check the list and select them again.`,
      );
    }
    return { matched, now };
  }

  return {
    /** One page of the team's keys plus effective-status counts that ignore `view` (the checkboxes). */
    async list({ sort, cursor: cursorText, limit, ...filters }: ListKeysQuery): Promise<{ items: KeyRow[]; nextCursor: string | null; counts: KeyCounts }> {
      const query = { sort, limit };
      const cursor = listCursor.decode(cursorText);
      if (cursor && cursor.s !== query.sort) throw badRequest('cursor: it belongs to another sort order; start from the first page');
      const after: KeyListPosition | null = cursor ? { createdAt: new Date(cursor.c), lastUsedAt: cursor.u === null ? null : new Date(cursor.u), id: cursor.i } : null;
      const now = deps.now();
      const { scope, view } = queryOf(filters, now);
      const spec = { ...scope, view, sort };
      const everyStatus = new Set(view).size === KeyStatusSchema.options.length;
      // Counted over the very scope the page is read from: what "Select all N matching" offers is what the list holds.
      const { page, counts } = await keyCounts.withPage(
        scope,
        now,
        () => repos.keys.list({ ...spec, after }, now, query.limit + 1),
        !after && everyStatus ? () => repos.keys.firstPageWithStatuses(spec, now, query.limit + 1) : null,
      );
      const shown = keysetPage(page, query.limit, (last) => listCursor.encode({ s: query.sort, c: last.createdAt.getTime(), u: last.lastUsedAt?.getTime() ?? null, i: last.id }));
      return { items: await keys.rows(scope.teamId, shown.rows), nextCursor: shown.nextCursor, counts };
    },

    /** The team's effective-status counts (the popup's), without a page. */
    async counts(teamId: string): Promise<KeyCounts> {
      return keyCounts.get({ teamId }, deps.now());
    },

    /** Every key of the team as KeyRows, newest first, a page at a time (the CSV export). */
    async *exportRows(teamId: string, pageSize = 200): AsyncGenerator<KeyRow> {
      let after: KeyListPosition | null = null;
      for (;;) {
        const page = await repos.keys.list({ teamId, sort: 'newest', after }, deps.now(), pageSize);
        for (const row of await keys.rows(teamId, page)) yield row;
        if (page.length < pageSize) return;
        const last = page[page.length - 1]!;
        after = { createdAt: last.createdAt, lastUsedAt: last.lastUsedAt, id: last.id };
      }
    },

    /** Reason `manual` for one key, `bulk` for several; dead (revoked or expired) keys are reported, not touched. */
    async revoke(actor: Actor, teamId: string, keyIds: string[]): Promise<RevokeResult> {
      const { ids, found, notFound } = await resolve(teamId, keyIds);
      const live = found.filter((k) => !isDead(k, deps.now()));
      const changed = live.length > 0 ? (await actions.run({ teamId, kind: 'revoke', reason: ids.length === 1 ? 'manual' : 'bulk', actor, keyIds: live.map((k) => k.id) })).changed : [];
      const result = split(found, changed);
      return { revoked: result.changed, alreadyRevoked: result.unchanged, notFound };
    },

    /** "Select all N matching", revoked in one action (reason `bulk`); keys already dead are counted, not touched. */
    async revokeMatching(actor: Actor, query: KeysMatchingQuery): Promise<RevokeResult> {
      const { matched, now } = await matching(query);
      const live = matched.filter((k) => !isDead(k, now)).map((k) => k.id);
      const changed = live.length > 0 ? (await actions.run({ teamId: query.teamId, kind: 'revoke', reason: 'bulk', actor, keyIds: live })).changed : [];
      const result = split(matched, changed);
      return { revoked: result.changed, alreadyRevoked: result.unchanged, notFound: [] };
    },

    /** "Select all N matching", disabled in one action; only enabled keys change. */
    async disableMatching(actor: Actor, query: KeysMatchingQuery): Promise<ChangeResult> {
      const { matched, now } = await matching(query);
      const enabled = matched.filter((k) => effectiveStatus(k, now).status === 'enabled').map((k) => k.id);
      const changed = enabled.length > 0 ? (await actions.run({ teamId: query.teamId, kind: 'disable', reason: 'manual', actor, keyIds: enabled })).changed : [];
      return { ...split(matched, changed), notFound: [] };
    },

    /** Names the keys it revoked; it names no others (the team's dead keys are not listed as `alreadyRevoked`). */
    /** The team's bulk actions still running, keys done of total. */
    actionProgress(teamId: string) {
      return actions.progress(teamId);
    },

    async revokeAll(actor: Actor, teamId: string): Promise<RevokeResult> {
      const { changed } = await actions.run({ teamId, kind: 'revoke_all', actor });
      return { revoked: changed.map((k) => k.id), alreadyRevoked: [], notFound: [] };
    },

    async disable(actor: Actor, teamId: string, keyIds: string[]): Promise<ChangeResult> {
      const { found, notFound } = await resolve(teamId, keyIds);
      const enabled = found.filter((k) => effectiveStatus(k, deps.now()).status === 'enabled');
      const changed = enabled.length > 0 ? (await actions.run({ teamId, kind: 'disable', reason: 'manual', actor, keyIds: enabled.map((k) => k.id) })).changed : [];
      return { ...split(found, changed), notFound };
    },

    /** Revocation is final: asking to enable a revoked or expired key rejects the whole call. */
    async enable(actor: Actor, teamId: string, keyIds: string[]): Promise<ChangeResult> {
      const { found, notFound } = await resolve(teamId, keyIds);
      const dead = found.filter((k) => isDead(k, deps.now()));
      if (dead.length > 0) {
        const named = dead.slice(0, 5).map((k) => `"${k.name}" (${k.id})`).join(', ');
        const more = dead.length > 5 ? ` and ${dead.length - 5} more` : '';
        throw badRequest(`Revoked or expired keys cannot be enabled again: ${named}${more}. Nothing was changed.`);
      }
      // A key whose owner left the team must not work again unless the owner is added back — whatever
      // the reason it was disabled (a key disabled by hand before the removal keeps reason `manual`).
      const orphanCandidates = found.filter((k) => k.status === 'disabled');
      if (orphanCandidates.length > 0) {
        const members = new Set((await repos.teams.findMemberships(teamId, orphanCandidates.map((k) => k.ownerId))).map((m) => m.userId));
        const orphaned = orphanCandidates.filter((k) => !members.has(k.ownerId));
        if (orphaned.length > 0) {
          const named = orphaned.slice(0, 5).map((k) => `"${k.name}" (${k.id})`).join(', ');
          throw badRequest(`These keys belong to someone who is no longer in the team; add them back to the team first: ${named}. Nothing was changed.`);
        }
      }
      const disabled = found.filter((k) => k.status === 'disabled');
      const changed = disabled.length > 0 ? (await actions.run({ teamId, kind: 'enable', actor, keyIds: disabled.map((k) => k.id) })).changed : [];
      return { ...split(found, changed), notFound };
    },
  };
}
export type KeysAdminService = ReturnType<typeof keysAdminService>;
