import type { KeyRow } from '../../shared/schemas/key';
import type { TeamIdentity as Identity } from '../../shared/schemas/identities';
import type { Meta } from '../../shared/schemas/policy';
import type { IdentitiesRepo, StoredIdentity } from '../db/identities.repo';
import type { KeysRepo } from '../db/keys.repo';
import { notFound } from '../errors';
import { keysetPage, positionCursor } from '../lib/pagination';
import type { Actor } from './actor';
import type { AuditService } from './audit.service';

/** Keys an identity's page lists, newest first. */
const MAX_IDENTITY_KEYS = 200;

/**
 * Identities: the customer or service behind keys with one `externalId` in a team (created by
 * the first key that names it, keys.service). Verify answers a key's identity with it, so a change
 * of an identity's meta signals the verify cache like any other change of what verify answers.
 */
export function identitiesService(
  repos: { identities: IdentitiesRepo; keys: KeysRepo },
  audit: AuditService,
  rows: (teamId: string, keys: Awaited<ReturnType<KeysRepo['findByExternalId']>>) => Promise<KeyRow[]>,
  onStateChange: () => Promise<void> = async () => {},
) {
  const toIdentity = (i: StoredIdentity): Identity => ({ id: i.id, externalId: i.externalId, meta: i.meta, ratelimits: i.ratelimits });

  return {
    async list(teamId: string, cursor: string | undefined, limit: number): Promise<{ items: Identity[]; nextCursor: string | null }> {
      const found = await repos.identities.list(teamId, positionCursor.created.decode(cursor), limit + 1);
      // The cursor's id is the externalId: identities are keyed by it within the team.
      const page = keysetPage(found, limit, (i) => positionCursor.created.encode({ at: i.createdAt, id: i.externalId }));
      return { items: page.rows.map(toIdentity), nextCursor: page.nextCursor };
    },

    async get(teamId: string, externalId: string): Promise<{ identity: Identity; keys: KeyRow[] }> {
      const identity = await repos.identities.find(teamId, externalId);
      if (!identity) throw notFound('Identity not found.');
      const keys = await repos.keys.findByExternalId(teamId, externalId, MAX_IDENTITY_KEYS);
      return { identity: toIdentity(identity), keys: await rows(teamId, keys) };
    },

    async update(actor: Actor, teamId: string, externalId: string, meta: Meta): Promise<Identity> {
      const changed = await repos.identities.setMeta(teamId, externalId, meta);
      if (!changed) throw notFound('Identity not found.');
      await onStateChange();
      await audit.record({ teamId, action: 'identity.updated', actor, targetIds: [changed.after.id], details: { externalId, before: { meta: changed.before.meta }, after: { meta } } });
      return toIdentity(changed.after);
    },
  };
}
export type IdentitiesService = ReturnType<typeof identitiesService>;
