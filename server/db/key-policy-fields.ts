export type { KeyPolicy } from '../../shared/key-policy';
export { keyPolicyOf } from '../../shared/key-policy';

/** The stored fields of a key's policy (shared/key-policy.ts), for projections. */
export const POLICY_FIELDS = { permissions: 1, roles: 1, restrictions: 1, meta: 1, externalId: 1 } as const;
