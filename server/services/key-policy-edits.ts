import type { KeyPolicyInput } from '../../shared/schemas/policy';
import type { KeyPolicy } from '../../shared/key-policy';
import type { RolesRepo } from '../db/roles.repo';
import { badRequest, forbidden } from '../errors';

/**
 * Who may set what of a key's policy (issue 24), for keys.create and keys.update alike: admins
 * everything; a member, on their own keys, `restrictions` and `meta`, and `roles` only by adding
 * roles marked `memberAssignable` (taking a role off only narrows the key). A member who sets
 * `permissions` or `externalId` is refused. Every role added must exist in the team.
 */
export async function checkPolicyEdit(
  roles: Pick<RolesRepo, 'findMany'>,
  teamId: string,
  admin: boolean,
  change: KeyPolicyInput,
  heldRoles: readonly string[],
): Promise<void> {
  if (!admin && change.permissions !== undefined) throw forbidden('Only team admins may set a key’s permissions.');
  if (!admin && change.externalId !== undefined) throw forbidden('Only team admins may set a key’s externalId.');
  const added = (change.roles ?? []).filter((r) => !heldRoles.includes(r));
  if (added.length === 0) return;
  const found = new Map((await roles.findMany(teamId, added)).map((r) => [r.name, r]));
  const missing = added.filter((r) => !found.has(r));
  if (missing.length > 0) throw badRequest(`roles: no role named ${missing.map((r) => `"${r}"`).join(', ')} in this team.`);
  const notAssignable = added.filter((r) => !found.get(r)!.memberAssignable);
  if (!admin && notAssignable.length > 0) throw forbidden(`Only team admins may give a key the role ${notAssignable.map((r) => `"${r}"`).join(', ')}.`);
}

/** The stored fields a change sets (absent: unchanged). */
export function policyChanges(change: KeyPolicyInput): Partial<KeyPolicy> {
  const set: Partial<KeyPolicy> = {};
  if (change.permissions !== undefined) set.permissions = change.permissions;
  if (change.roles !== undefined) set.roles = change.roles;
  if (change.restrictions !== undefined) set.restrictions = { ips: change.restrictions.ips ?? [], origins: change.restrictions.origins ?? [] };
  if (change.meta !== undefined) set.meta = change.meta;
  if (change.externalId !== undefined) set.externalId = change.externalId;
  return set;
}

/** What changed, field by field, as the audit record's `changes` (unchanged fields left out). */
export function policyDiff(before: KeyPolicy, set: Partial<KeyPolicy>): Record<string, { before: unknown; after: unknown }> {
  const diff: Record<string, { before: unknown; after: unknown }> = {};
  for (const [field, after] of Object.entries(set) as [keyof KeyPolicy, unknown][]) {
    if (JSON.stringify(before[field]) !== JSON.stringify(after)) diff[field] = { before: before[field], after };
  }
  return diff;
}
