import type { Role as KeyRole } from '../../shared/schemas/policy';
import type { Deps } from '../deps';
import type { KeysRepo } from '../db/keys.repo';
import type { RolesRepo } from '../db/roles.repo';
import { notFound } from '../errors';
import type { Actor } from './actor';
import type { AuditService } from './audit.service';

/**
 * Team roles: named sets of permissions keys hold by name. Verify resolves a key's roles when it
 * reads the key, so a change of a role reaches every key that holds it at once: the change calls
 * `onStateChange` (the verify cache's signal, as for a revocation) and every instance drops its
 * cached keys within the revision poll.
 */
export function rolesService(
  deps: Deps,
  repos: { roles: RolesRepo; keys: KeysRepo },
  audit: AuditService,
  onStateChange: () => Promise<void> = async () => {},
) {
  const toRole = (r: { name: string; permissions: string[]; description: string; memberAssignable: boolean }): KeyRole => ({
    name: r.name,
    permissions: r.permissions,
    description: r.description,
    memberAssignable: r.memberAssignable,
  });

  return {
    async list(teamId: string): Promise<KeyRole[]> {
      return (await repos.roles.list(teamId)).map(toRole);
    },

    async upsert(actor: Actor, teamId: string, role: KeyRole): Promise<KeyRole> {
      const { before, after } = await repos.roles.upsert(teamId, role, deps.now());
      await onStateChange();
      await audit.record({
        teamId,
        action: 'role.updated',
        actor,
        targetIds: [role.name],
        details: { name: role.name, before: before && toRole(before), after: toRole(after) },
      });
      return toRole(after);
    },

    /** Deletes a role; the keys that held it lose it (and its permissions) at once. */
    async delete(actor: Actor, teamId: string, name: string): Promise<KeyRole> {
      const deleted = await repos.roles.delete(teamId, name);
      if (!deleted) throw notFound('Role not found.');
      await repos.keys.removeRole(teamId, name);
      await onStateChange();
      await audit.record({ teamId, action: 'role.deleted', actor, targetIds: [name], details: { name, before: toRole(deleted) } });
      return toRole(deleted);
    },
  };
}
export type RolesService = ReturnType<typeof rolesService>;
