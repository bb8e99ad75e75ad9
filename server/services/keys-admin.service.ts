import { parseKey } from '../../shared/key-format';
import type { KeyCounts, KeyRow, KeySort, ListKeysQuery, RevokeResult } from '../../shared/schemas/key';
import { badRequest } from '../errors';
import type { Deps } from '../deps';
import type { KeyListPosition, KeyListSpec } from '../db/key-list-query';
import type { KeysRepo, StoredKey } from '../db/keys.repo';
import type { TeamsRepo } from '../db/teams.repo';
import { decodeCursor, encodeCursor } from '../lib/cursor';
import { hashKey } from '../lib/ids';
import type { Actor } from './actor';
import type { KeyActionsService } from './key-actions.service';
import { effectiveStatus } from './key-rows';
import type { KeysService } from './keys.service';

/**
 * The admin dashboard's key operations over the whole team. Every change goes
 * through the key-actions engine (action record first, keys stamped with its
 * id), so an outage never leaves a bulk change half-applied without a trace.
 */
type ListCursor = { s: KeySort; c: number; u: number | null; i: string };
const isListCursor = (v: any): v is ListCursor =>
  typeof v?.s === 'string' && typeof v?.c === 'number' && (v?.u === null || typeof v?.u === 'number') && typeof v?.i === 'string';

export interface ChangeResult {
  changed: string[];
  unchanged: string[];
  notFound: string[];
}

export function keysAdminService(deps: Deps, repos: { keys: KeysRepo; teams: TeamsRepo }, keys: KeysService, actions: KeyActionsService) {
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

  function specOf(query: ListKeysQuery): Omit<KeyListSpec, 'after'> {
    const parsed = query.search ? parseKey(query.search) : null;
    const search = parsed?.ok ? { hash: hashKey(deps.pepper, parsed.key) } : query.search ? { text: query.search } : undefined;
    return { teamId: query.teamId, view: query.view, ownerIds: query.generatedBy, search, sort: query.sort };
  }

  return {
    /** One page of the team's keys plus effective-status counts that ignore `view` (the checkboxes). */
    async list(query: ListKeysQuery): Promise<{ items: KeyRow[]; nextCursor: string | null; counts: KeyCounts }> {
      const cursor = decodeCursor(query.cursor, isListCursor);
      if (cursor && cursor.s !== query.sort) throw badRequest('cursor: it belongs to another sort order; start from the first page');
      const after: KeyListPosition | null = cursor ? { createdAt: new Date(cursor.c), lastUsedAt: cursor.u === null ? null : new Date(cursor.u), id: cursor.i } : null;
      const spec = specOf(query);
      const now = deps.now();
      const [page, counts] = await Promise.all([repos.keys.list({ ...spec, after }, now, query.limit + 1), repos.keys.countByStatus(spec, now)]);
      const last = page.length > query.limit ? page[query.limit - 1]! : null;
      return {
        items: await keys.rows(query.teamId, page.slice(0, query.limit)),
        nextCursor: last ? encodeCursor({ s: query.sort, c: last.createdAt.getTime(), u: last.lastUsedAt?.getTime() ?? null, i: last.id }) : null,
        counts,
      };
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

    async revokeAll(actor: Actor, teamId: string): Promise<{ revoked: number }> {
      const { changed } = await actions.run({ teamId, kind: 'revoke', reason: 'revoke_all', actor, keyIds: null });
      return { revoked: changed.length };
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
      const changed = disabled.length > 0 ? (await actions.run({ teamId, kind: 'enable', reason: null, actor, keyIds: disabled.map((k) => k.id) })).changed : [];
      return { ...split(found, changed), notFound };
    },
  };
}
export type KeysAdminService = ReturnType<typeof keysAdminService>;
