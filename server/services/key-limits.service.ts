import { isAdminRole, type Role } from '../../shared/schemas/common';
import type { KeyRow } from '../../shared/schemas/key';
import type { KeyLimitsInput } from '../../shared/schemas/limits';
import type { KeysRepo } from '../db/keys.repo';
import { AppError, forbidden, notFound } from '../errors';
import type { Actor } from './actor';
import type { AuditService } from './audit.service';
import { settingsClosed, type FieldChanges, type KeysService } from './keys.service';
import { rowCredits, type LimitsService } from './limits.service';
import type { Deps } from '../deps';
import type { Ratelimit } from '../../shared/schemas/limits';
import type { KeyPolicyInput, Meta } from '../../shared/schemas/policy';
import type { TeamIdentity } from '../../shared/schemas/identities';
import type { IdentitiesService } from './identities.service';
import type { KeyChangeRecorder } from './key-changes.service';

/**
 * keys.update with issue 25's fields: the policy part goes to keys.update (issue 24), then an
 * admin's rate limits and credits are one write on the key, audited as `key.updated` with before
 * and after, and every instance's verify cache is told (as for a revocation). A member who sends
 * them is refused before anything is written. Setting credits is a top-up: the balance is set, and
 * "credits low" is measured from it until the next refill.
 */
export function keyLimitsService(
  deps: Deps,
  repos: { keys: KeysRepo },
  limits: Pick<LimitsService, 'setKeyLimits' | 'identityRatelimits' | 'setIdentityRatelimits'>,
  identities: Pick<IdentitiesService, 'get' | 'update'>,
  keys: Pick<KeysService, 'rows' | 'update'>,
  audit: Pick<AuditService, 'record'>,
  keyStateChanged: () => Promise<void>,
  /** The change feed: a change of limits (or of an identity's meta or limits) changes the keys' verify answers. */
  feed: KeyChangeRecorder,
) {
  return {
    async update(actor: Actor & { role: Role }, input: { teamId: string; keyId: string } & KeyPolicyInput & KeyLimitsInput): Promise<KeyRow> {
      const { ratelimits, credits, ...policy } = input;
      const setsLimits = ratelimits !== undefined || credits !== undefined;
      if (!setsLimits) return keys.update(actor, policy);
      if (!isAdminRole(actor.role)) throw forbidden('Only team admins can set rate limits and credits.');
      const { teamId: _teamId, keyId: _keyId, ...policyFields } = policy;
      const sentPolicy = Object.values(policyFields).some((v) => v !== undefined);
      // Written with the policy (after it): one update, one `key.updated` record naming both.
      return keys.update(actor, policy, async (): Promise<FieldChanges> => {
        const limitsOf = async () => {
          const stored = await repos.keys.findByPublicId(input.teamId, input.keyId);
          if (!stored) throw notFound('Key not found.');
          return { ratelimits: stored.ratelimits ?? [], credits: rowCredits(stored.credits, deps.now()) };
        };
        const before = await limitsOf();
        // Like the policy: a key that no longer works keeps the limits it ended with.
        if (!(await limits.setKeyLimits(input.teamId, input.keyId, { ratelimits, credits }))) {
          throw sentPolicy
            ? new AppError('PRECONDITION_FAILED', 'This key was revoked or expired while it was being changed: its policy change was saved, its rate limits and credits were not.')
            : settingsClosed();
        }
        // Written: the change is recorded and told even if reading it back fails (then as it was asked).
        const after = await limitsOf().catch(() => ({ ratelimits: ratelimits ?? before.ratelimits, credits: credits === undefined ? before.credits : credits }));
        return Object.fromEntries((['ratelimits', 'credits'] as const).filter((f) => input[f] !== undefined).map((f) => [f, { before: before[f], after: after[f] }]));
      });
    },

    /** identities.update: its meta (issue 24) and its shared rate limits, which every instance's verify sees at once. */
    async updateIdentity(actor: Actor, input: { teamId: string; externalId: string; meta?: Meta; ratelimits?: Ratelimit[] }): Promise<TeamIdentity> {
      if (input.ratelimits !== undefined) {
        const before = await limits.identityRatelimits(input.teamId, input.externalId);
        if (!(await limits.setIdentityRatelimits(input.teamId, input.externalId, input.ratelimits))) throw notFound('Identity not found.');
        await keyStateChanged();
        const { identity } = await identities.get(input.teamId, input.externalId);
        await audit.record({ teamId: input.teamId, action: 'identity.updated', actor, targetIds: [identity.id], details: { externalId: input.externalId, before: { ratelimits: before }, after: { ratelimits: input.ratelimits } } });
      }
      const identity = input.meta !== undefined ? await identities.update(actor, input.teamId, input.externalId, input.meta) : (await identities.get(input.teamId, input.externalId)).identity;
      if (input.meta !== undefined || input.ratelimits !== undefined) await feed.record(input.teamId, 'updated', await repos.keys.idsWithExternalId(input.teamId, input.externalId));
      return identity;
    },
  };
}
export type KeyLimitsService = ReturnType<typeof keyLimitsService>;
