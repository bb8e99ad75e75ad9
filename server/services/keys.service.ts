import type { AuditRepo } from '../db/audit.repo';
import { generateKey, parseKey } from '../../shared/key-format';
import { isAdminRole, type Role } from '../../shared/schemas/common';
import type { KeyRow, RevokeOwnResult } from '../../shared/schemas/key';
import { afterWrite, badRequest, forbidden, notFound } from '../errors';
import type { Deps } from '../deps';
import type { KeysRepo, StoredKey } from '../db/keys.repo';
import type { RevisionsRepo } from '../db/revisions.repo';
import type { RotationsRepo } from '../db/rotations.repo';
import type { TeamsRepo } from '../db/teams.repo';
import type { LeaksRepo } from '../db/leaks.repo';
import type { UsageRepo } from '../db/usage.repo';
import type { UsersRepo } from '../db/users.repo';
import { keysetPage, positionCursor } from '../lib/pagination';
import { hashKey } from '../lib/ids';
import { newStoredKey } from '../lib/stored-key';
import type { Actor } from './actor';
import type { AuditService } from './audit.service';
import type { KeyActionsService } from './key-actions.service';
import { effectiveStatus } from '../db/effective-status';
import { newKeyExpiry } from './expiry-policy';
import { toKeyRows } from './key-rows';
import { bumpAlerts } from './alerts-bus';
import { canGenerate } from './teams.service';
import type { KeyPolicyInput } from '../../shared/schemas/policy';
import type { IdentitiesRepo } from '../db/identities.repo';
import type { RolesRepo } from '../db/roles.repo';
import { keyPolicyOf } from '../../shared/key-policy';
import { AppError } from '../errors';
import { newId } from '../lib/ids';
import { checkPolicyEdit, policyChanges, policyDiff } from './key-policy-edits';
import { limitFields } from './limits.service';
import type { KeyLimitsInput } from '../../shared/schemas/limits';


/** What keys.create needs of an approved request: check it is the caller's live grant, then spend it. */
export interface KeyGrants {
  check(actor: Actor, teamId: string, requestId: string): Promise<{ expiresInDays: number | null }>;
  use(actor: Actor, requestId: string, keyId: string): Promise<void>;
}
const noGrants: KeyGrants = {
  check: async () => {
    throw notFound('Key request not found.');
  },
  use: async () => {},
};

/** Issuing keys and a member's own keys. Admin-wide operations live in keys-admin.service. */

/** A revoked or expired key's settings (policy, limits) no longer change: they stay as the key ended with them. */
/** What one change did to a key's fields, for its `key.updated` record: each field's value before and after. */
export type FieldChanges = Record<string, { before: unknown; after: unknown }>;

export const settingsClosed = () => new AppError('PRECONDITION_FAILED', 'This key is revoked or expired: its settings can no longer change.');
export function keysService(
  deps: Deps,
  repos: {
    keys: KeysRepo;
    teams: TeamsRepo;
    users: UsersRepo;
    revisions: RevisionsRepo;
    usage: UsageRepo;
    roles: RolesRepo;
    identities: IdentitiesRepo;
    rotations?: RotationsRepo;
    leaks?: LeaksRepo;
    audit?: AuditRepo;
  },
  audit: AuditService,
  actions: KeyActionsService,
  /** Approved key requests (key-requests.service): a grant lets a member generate one key while generation is off. */
  grants: KeyGrants = noGrants,
  /** Told after a key's policy changed (the verify cache listens, as for a revocation). */
  onStateChange: () => Promise<void> = async () => {},
) {
  const rows = (teamId: string, keys: Parameters<typeof toKeyRows>[2]) => toKeyRows(repos, teamId, keys, deps.now());
  /** The identity a key names exists from the first key that names it. */
  const ensureIdentity = (teamId: string, externalId: string | null | undefined, at: Date) =>
    externalId ? repos.identities.ensure(teamId, externalId, { id: newId('idn'), at }) : Promise.resolve();

  return {
    rows,

    /** One key of the team as its row (the REST API's `GET keys/{keyId}`); NOT_FOUND when the team has no such key. */
    async get(teamId: string, keyId: string): Promise<KeyRow> {
      const key = await repos.keys.findByPublicId(teamId, keyId);
      if (!key) throw notFound('Key not found.');
      return (await rows(teamId, [key]))[0]!;
    },

    /** `ownerId` (an admin's choice, the REST API's): the key is issued to that member of the team instead of the caller. */
    async create(actor: Actor & { role: Role }, input: { teamId: string; name: string; expiresInDays?: number; expiresAt?: Date; requestId?: string; canary?: boolean; ownerId?: string } & KeyPolicyInput & KeyLimitsInput) {
      const team = await repos.teams.findTeam(input.teamId);
      if (!team) throw notFound('Team not found.');
      const ownerId = input.ownerId ?? actor.userId!;
      if (ownerId !== actor.userId) {
        if (!isAdminRole(actor.role)) throw forbidden('Only team admins can create keys for another member.');
        if (!(await repos.teams.findMembership(input.teamId, ownerId))) throw badRequest('ownerId: not a member of this team.');
      }
      if (input.canary && !isAdminRole(actor.role)) throw forbidden('Only team admins can create canary keys.');
      if ((input.ratelimits !== undefined || input.credits !== undefined) && !isAdminRole(actor.role)) throw forbidden('Only team admins can set rate limits and credits.');
      await checkPolicyEdit(repos.roles, input.teamId, isAdminRole(actor.role), input, []);
      const policy = policyChanges(input);
      const grant = input.requestId ? await grants.check(actor, input.teamId, input.requestId) : null;
      if (!grant && !canGenerate(actor.role, team.settings)) {
        throw forbidden('Your team allows only admins to generate API keys.');
      }
      const now = deps.now();
      // The approval's lifetime is the most its key may have: a member may ask for less, never more.
      let expiresAt = newKeyExpiry(now, { days: input.expiresInDays, at: input.expiresAt }, [
        { days: team.settings.maxLifetimeDays, by: 'policy' },
        { days: grant?.expiresInDays ?? null, by: 'approval' },
      ]);

      // A canary must keep looking alive to whoever finds it: it never expires, by request or by policy.
      if (input.canary) expiresAt = null;

      const key = generateKey();
      const stored = { ...newStoredKey(key, { teamId: input.teamId, ownerId, name: input.name, createdAt: now, expiresAt }), ...keyPolicyOf(policy), ...(input.canary ? { canary: true } : {}), ...limitFields(input, now) };
      await ensureIdentity(input.teamId, policy.externalId, now);
      // The grant is spent before the key exists (one use even when two calls race); a failed insert spends it too.
      if (grant) await grants.use(actor, input.requestId!, stored.id);
      // From the insert on, a failure may follow a key that exists: the caller hears "may or may not".
      return afterWrite(async () => {
        await repos.keys.insert(hashKey(deps.pepper, key), stored);
        await actions.changed(input.teamId, 'created', [stored.id]);
        // A key born inside its team's warning window changes its owner's badge; a failed bump only delays that.
        await bumpAlerts(repos.revisions, deps.log);
        await audit.record({ teamId: input.teamId, action: 'key.created', actor, targetIds: [stored.id], details: { name: stored.name, expiresAt, ...(grant ? { requestId: input.requestId } : {}), ...(input.canary ? { canary: true } : {}), ...policy } });
        const [row] = await rows(input.teamId, [stored]);
        return { key, row: row! };
      });
    },

    /**
     * Changes a key's permissions, roles, restrictions, meta or externalId (checkPolicyEdit says
     * who may change what) in one conditional write that matches only a key that still works: a
     * revoked or expired key answers PRECONDITION_FAILED. Verify everywhere sees the change within
     * the revision poll, like a revocation. `more` is a further change of the same key made with
     * it (issue 25's limits): it writes after the policy and names what it changed, so one update
     * is one `key.updated` record, one feed event and one signal to the verify caches.
     */
    async update(actor: Actor & { role: Role }, input: { teamId: string; keyId: string } & KeyPolicyInput, more?: () => Promise<FieldChanges>): Promise<KeyRow> {
      const admin = isAdminRole(actor.role);
      const current = await repos.keys.findByPublicId(input.teamId, input.keyId);
      if (!current || (!admin && current.ownerId !== actor.userId)) throw notFound('Key not found.');
      await checkPolicyEdit(repos.roles, input.teamId, admin, input, keyPolicyOf(current).roles);
      const set = policyChanges(input);
      const setsPolicy = Object.keys(set).length > 0;
      // Nothing to change: the row as it is, without a write.
      if (!setsPolicy && !more) return (await rows(input.teamId, [current]))[0]!;
      const now = deps.now();
      let before = current;
      if (setsPolicy) {
        await ensureIdentity(input.teamId, set.externalId, now);
        const written = await repos.keys.updatePolicy({ teamId: input.teamId, id: input.keyId, ownerId: admin ? undefined : actor.userId!, now }, set);
        if (!written) throw settingsClosed();
        before = written;
      }
      // A further change that fails (the key was revoked meanwhile) still leaves the policy change recorded and told.
      let further: FieldChanges = {};
      let failed: { err: unknown } | null = null;
      if (more) {
        try {
          further = await more();
        } catch (err) {
          failed = { err };
        }
      }
      return afterWrite(async () => {
        const changes = { ...policyDiff(keyPolicyOf(before), set), ...further };
        if (Object.keys(changes).length > 0) {
          await onStateChange();
          await actions.changed(input.teamId, 'updated', [input.keyId]);
          await audit.record({ teamId: input.teamId, action: 'key.updated', actor, targetIds: [input.keyId], details: { name: before.name, changes } });
        }
        if (failed) throw failed.err;
        const after = more ? await repos.keys.findByPublicId(input.teamId, input.keyId) : { ...before, ...set };
        if (!after) throw notFound('Key not found.');
        return (await rows(input.teamId, [after]))[0]!;
      });
    },

    async mine(teamId: string, userId: string, cursor: string | undefined, limit: number): Promise<{ items: KeyRow[]; nextCursor: string | null }> {
      const found = await repos.keys.listByOwner(teamId, userId, positionCursor.created.decode(cursor), limit + 1);
      const page = keysetPage(found, limit, (k) => positionCursor.created.encode({ at: k.createdAt, id: k.id }));
      return { items: await rows(teamId, page.rows), nextCursor: page.nextCursor };
    },

    /** A member revokes their own key (say, a leaked one). Idempotent: a revoked key stays as it was. */
    async revokeOwn(actor: Actor, teamId: string, keyId: string): Promise<RevokeOwnResult> {
      const key = await repos.keys.findByPublicId(teamId, keyId);
      if (!key || key.ownerId !== actor.userId) throw notFound('Key not found.');
      const already = { revoked: [], alreadyRevoked: [keyId], notFound: [] };
      if (effectiveStatus(key, deps.now()).status === 'revoked') return { ...already, row: (await rows(teamId, [key]))[0]! };
      const { changed } = await actions.run({ teamId, kind: 'revoke', reason: 'manual', actor, keyIds: [keyId] });
      const fresh = (await repos.keys.findByPublicId(teamId, keyId))!;
      const result = changed.length > 0 ? { revoked: [keyId], alreadyRevoked: [], notFound: [] } : already;
      return { ...result, row: (await rows(teamId, [fresh]))[0]! };
    },

    /**
     * Stores a key exactly as described, with no audit record or notice: the demo seed and test
     * fixtures use it to lay out keys of any age and state.
     */
    async importKey(k: Parameters<typeof newStoredKey>[1]): Promise<{ id: string; value: string; stored: StoredKey }> {
      const value = generateKey();
      const stored = newStoredKey(value, k);
      await repos.keys.insert(hashKey(deps.pepper, value), stored);
      return { id: stored.id, value, stored };
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
