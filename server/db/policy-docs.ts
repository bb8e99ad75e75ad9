import type { Ratelimit } from '../../shared/schemas/limits';
import type { Meta } from '../../shared/schemas/policy';
/**
 * Document shapes of key policies: team roles and identities (split from collections.ts, which
 * re-exports them). Keys hold role names and an `externalId`; verify resolves both when it reads a key.
 */

/** A team's role, `_id` `${teamId}:${name}`: one document per name, so an upsert is one conditional write. */
export interface RoleDoc {
  _id: string;
  teamId: string;
  name: string;
  permissions: string[];
  description: string;
  /** Members may put this role on their own keys. */
  memberAssignable: boolean;
  createdAt: Date;
  updatedAt: Date;
}

/** The customer or service behind keys with one `externalId`, `_id` `${teamId}:${externalId}` (created on first use). */
export interface IdentityDoc {
  _id: string;
  id: string;
  teamId: string;
  externalId: string;
  meta: Meta;
  createdAt: Date;
  /** Rate limits shared by the identity's keys (issue 25, limits.repo.ts); absent: none. */
  ratelimits?: Ratelimit[];
}
