import { generateKey, parseKey } from '../../shared/key-format';
import { isAdminRole, type Role } from '../../shared/schemas/common';
import type { KeyRow } from '../../shared/schemas/key';
import { afterWrite, badRequest, forbidden, notFound } from '../errors';
import type { Deps } from '../deps';
import { newStoredKey, type KeysRepo } from '../db/keys.repo';
import type { RevisionsRepo } from '../db/revisions.repo';
import type { TeamsRepo } from '../db/teams.repo';
import type { UsageRepo } from '../db/usage.repo';
import type { UsersRepo } from '../db/users.repo';
import { decodeCursor, encodeCursor } from '../lib/cursor';
import { hashKey } from '../lib/ids';
import type { Actor } from './actor';
import type { AuditService } from './audit.service';
import type { KeyActionsService } from './key-actions.service';
import { effectiveStatus, toKeyRows } from './key-rows';

const DAY_MS = 24 * 60 * 60_000;

type CreatedCursor = { c: number; i: string };
const isCreatedCursor = (v: any): v is CreatedCursor => typeof v?.c === 'number' && typeof v?.i === 'string';

/** Issuing keys and a member's own keys. Admin-wide operations live in keys-admin.service. */
export function keysService(
  deps: Deps,
  repos: { keys: KeysRepo; teams: TeamsRepo; users: UsersRepo; revisions: RevisionsRepo; usage: UsageRepo },
  audit: AuditService,
  actions: KeyActionsService,
) {
  const rows = (teamId: string, keys: Parameters<typeof toKeyRows>[2]) => toKeyRows(repos, teamId, keys, deps.now());

  return {
    rows,

    async create(actor: Actor & { role: Role }, input: { teamId: string; name: string; expiresInDays?: number; expiresAt?: Date }) {
      const team = await repos.teams.findTeam(input.teamId);
      if (!team) throw notFound('Team not found.');
      if (!isAdminRole(actor.role) && !team.settings.allowMemberKeyGeneration) {
        throw forbidden('Your team allows only admins to generate API keys.');
      }
      const now = deps.now();
      const max = team.settings.maxLifetimeDays;
      const cap = max ? new Date(now.getTime() + max * DAY_MS) : null;
      let expiresAt: Date | null = null;
      if (input.expiresInDays !== undefined) {
        if (max && input.expiresInDays > max) throw badRequest(`expiresInDays: your team's policy allows keys of at most ${max} days.`);
        expiresAt = new Date(now.getTime() + input.expiresInDays * DAY_MS);
      } else if (input.expiresAt !== undefined) {
        if (input.expiresAt <= now) throw badRequest('expiresAt: must be in the future.');
        if (cap && input.expiresAt > cap) throw badRequest(`expiresAt: your team's policy allows keys of at most ${max} days.`);
        expiresAt = input.expiresAt;
      } else {
        expiresAt = cap;
      }

      const key = generateKey();
      const stored = newStoredKey(key, { teamId: input.teamId, ownerId: actor.userId!, name: input.name, createdAt: now, expiresAt });
      // From the insert on, a failure may follow a key that exists: the caller hears "may or may not".
      return afterWrite(async () => {
        await repos.keys.insert(hashKey(deps.pepper, key), stored);
        // A key born inside its team's warning window changes its owner's badge; a failed bump only delays that.
        await repos.revisions.bump('alerts').catch((err) => deps.log.error('bumping the alerts revision failed', err));
        await audit.record({ teamId: input.teamId, action: 'key.created', actor, targetIds: [stored.id], details: { name: stored.name, expiresAt } });
        const [row] = await rows(input.teamId, [stored]);
        return { key, row: row! };
      });
    },

    async mine(teamId: string, userId: string, cursor: string | undefined, limit: number): Promise<{ items: KeyRow[]; nextCursor: string | null }> {
      const after = decodeCursor(cursor, isCreatedCursor);
      const page = await repos.keys.listByOwner(teamId, userId, after ? { createdAt: new Date(after.c), id: after.i } : null, limit + 1);
      const items = await rows(teamId, page.slice(0, limit));
      const last = page.length > limit ? page[limit - 1]! : null;
      return { items, nextCursor: last ? encodeCursor({ c: last.createdAt.getTime(), i: last.id }) : null };
    },

    /** A member revokes their own key (say, a leaked one). Idempotent: a revoked key stays as it was. */
    async revokeOwn(actor: Actor, teamId: string, keyId: string): Promise<{ revoked: boolean; row: KeyRow }> {
      const key = await repos.keys.findByPublicId(teamId, keyId);
      if (!key || key.ownerId !== actor.userId) throw notFound('Key not found.');
      if (effectiveStatus(key, deps.now()).status === 'revoked') return { revoked: false, row: (await rows(teamId, [key]))[0]! };
      const { changed } = await actions.run({ teamId, kind: 'revoke', reason: 'manual', actor, keyIds: [keyId] });
      const fresh = (await repos.keys.findByPublicId(teamId, keyId))!;
      return { revoked: changed.length > 0, row: (await rows(teamId, [fresh]))[0]! };
    },

    /**
     * Looks a pasted key value up through its hash. Admins see any key of the
     * team; members only their own. Anything else is `null`, exactly like a key
     * that does not exist.
     */
    async findByValue(teamId: string, viewer: { userId: string; role: Role }, value: string): Promise<KeyRow | null> {
      const parsed = parseKey(value);
      if (!parsed.ok) return null;
      const key = await repos.keys.findByHash(teamId, hashKey(deps.pepper, parsed.key));
      if (!key) return null;
      if (!isAdminRole(viewer.role) && key.ownerId !== viewer.userId) return null;
      return (await rows(teamId, [key]))[0]!;
    },
  };
}
export type KeysService = ReturnType<typeof keysService>;
