import type { Meta, Restrictions } from './schemas/policy';

/** A key's policy fields as stored and shown (issue 24). */
export interface KeyPolicy {
  permissions: string[];
  roles: string[];
  restrictions: Restrictions;
  meta: Meta;
  externalId: string | null;
}

/**
 * A stored key's policy with its defaults: keys written before policies existed have none of the
 * fields (no migration: they read as empty lists and null), and the embedded engine may drop nulls.
 */
export function keyPolicyOf(k: { permissions?: string[]; roles?: string[]; restrictions?: Partial<Restrictions>; meta?: Meta; externalId?: string | null }): KeyPolicy {
  return {
    permissions: k.permissions ?? [],
    roles: k.roles ?? [],
    restrictions: { ips: k.restrictions?.ips ?? [], origins: k.restrictions?.origins ?? [] },
    meta: k.meta ?? null,
    externalId: k.externalId ?? null,
  };
}
