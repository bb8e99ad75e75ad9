import { isAdminRole, type Role } from '../../shared/schemas/common';
import type { RestrictionsPreview } from '../../shared/schemas/key';
import type { KeyPolicyInput } from '../../shared/schemas/policy';
import { HOUR_MS } from '../../shared/time';
import type { Deps } from '../deps';
import { keyPolicyOf } from '../../shared/key-policy';
import type { KeysRepo } from '../db/keys.repo';
import type { RolesRepo } from '../db/roles.repo';
import type { UsageRepo } from '../db/usage.repo';
import { notFound } from '../errors';
import { checkedQuery, policyRefusal, refusalReason, resolvePolicy } from './key-policy';
import { policyChanges } from './key-policy-edits';
import { floorHour } from './usage-buckets';

/** Refused combinations listed, most frequent first. */
const MAX_SAMPLES = 20;

/**
 * "Which of this key's real callers would a narrowing shut out?" (keys.previewRestrictions): the
 * key's recorded verifications (what each asked with, usage-tally.ts) replayed through the very
 * check verify runs (key-policy.ts) against the proposed settings, with the team's roles as they
 * are now; a call the current settings already refuse is not counted. This instance's unwritten counts are written first, so what was just verified here is in.
 */
export function keyPreviewService(
  deps: Deps,
  repos: { keys: KeysRepo; roles: RolesRepo; usage: UsageRepo },
  usage: { flush(): Promise<void> },
) {
  return {
    async previewRestrictions(
      viewer: { userId: string; role: Role },
      input: { teamId: string; keyId: string; days: number } & Pick<KeyPolicyInput, 'permissions' | 'roles' | 'restrictions'>,
    ): Promise<RestrictionsPreview> {
      const key = await repos.keys.findByPublicId(input.teamId, input.keyId);
      if (!key || (!isAdminRole(viewer.role) && key.ownerId !== viewer.userId)) throw notFound('Key not found.');
      const current = keyPolicyOf(key);
      const proposed = { ...current, ...policyChanges(input) };
      const roleNames = [...new Set([...current.roles, ...proposed.roles])];
      const roles = roleNames.length > 0 ? await repos.roles.findMany(input.teamId, roleNames) : [];
      const policy = resolvePolicy(proposed, roles, null);
      const now = resolvePolicy(current, roles, null);
      await usage.flush().catch((err) => deps.log.error('flushing usage before a preview failed (the preview may miss the last seconds)', err));
      const since = new Date(floorHour(deps.now().getTime()) - (input.days * 24 - 1) * HOUR_MS);
      const recorded = await repos.usage.callsOfKey(input.teamId, input.keyId, since);

      const byReason = { IP_NOT_ALLOWED: 0, ORIGIN_NOT_ALLOWED: 0, INSUFFICIENT_PERMISSIONS: 0 };
      const refused: RestrictionsPreview['samples'] = [];
      let total = 0;
      for (const call of recorded.calls) {
        total += call.count;
        // Recorded queries parsed when verify took them; the same parse decides here.
        const query = call.permissions === null ? null : checkedQuery(call.permissions);
        const context = { ip: call.ip ?? undefined, origin: call.origin ?? undefined };
        const refusal = policyRefusal(policy, context, query);
        // Only callers the key lets in today count: one it already refuses is not shut out by the change
        // (otherwise "Limit to the addresses it used" would never preview as refusing nothing).
        if (!refusal || policyRefusal(now, context, query)) continue;
        byReason[refusalReason(refusal)] += call.count;
        refused.push({
          ...(call.ip !== null ? { ip: call.ip } : {}),
          ...(call.origin !== null ? { origin: call.origin } : {}),
          ...(call.permissions !== null ? { permissions: call.permissions } : {}),
          count: call.count,
        });
      }
      const wouldRefuse = byReason.IP_NOT_ALLOWED + byReason.ORIGIN_NOT_ALLOWED + byReason.INSUFFICIENT_PERMISSIONS;
      refused.sort((a, b) => b.count - a.count);
      return { days: input.days, total, wouldRefuse, byReason, samples: refused.slice(0, MAX_SAMPLES), unrecorded: recorded.capped };
    },
  };
}
export type KeyPreviewService = ReturnType<typeof keyPreviewService>;
