import { effectivePermissions, evaluateQuery, parsePermissionQuery, type PermissionQuery } from '../../shared/permissions';
import type { VerifyContext } from '../../shared/schemas/policy';
import type { Identity, Meta } from '../../shared/schemas/policy';
import type { KeyPolicy } from '../../shared/key-policy';
import { badRequest } from '../errors';
import { ipAllowed, originAllowed } from '../lib/restrictions';

/**
 * A key's policy as verify decides it (issue 24), in one place for verify and for
 * `keys.previewRestrictions`, so a preview refuses exactly what verify would. Order: the address
 * restriction, then the origin restriction, then the permission query. A restriction the caller
 * gives no context for refuses (fail closed): verify never falls back to its own caller's address.
 *
 * A resolved policy is built once per cache fill (the key, its roles, its identity) and remembers
 * its answers per address, origin and query, so the cached hot path is a few map look-ups.
 */
export type PolicyRefusal = { code: 'FORBIDDEN'; reason: 'IP_NOT_ALLOWED' | 'ORIGIN_NOT_ALLOWED' } | { code: 'INSUFFICIENT_PERMISSIONS' };
export type RefusalReason = 'IP_NOT_ALLOWED' | 'ORIGIN_NOT_ALLOWED' | 'INSUFFICIENT_PERMISSIONS';

export interface ResolvedPolicy {
  /** Effective: the key's own and its roles', sorted, once each. */
  permissions: string[];
  roles: string[];
  ips: string[];
  origins: string[];
  meta: Meta;
  identity: Identity | null;
  answers: Map<string, boolean>;
}

/** A query as verify takes it: the text (what usage records) and its parse. */
export interface CheckedQuery {
  text: string;
  query: PermissionQuery;
}

const IP_REFUSAL: PolicyRefusal = { code: 'FORBIDDEN', reason: 'IP_NOT_ALLOWED' };
const ORIGIN_REFUSAL: PolicyRefusal = { code: 'FORBIDDEN', reason: 'ORIGIN_NOT_ALLOWED' };
const PERMISSION_REFUSAL: PolicyRefusal = { code: 'INSUFFICIENT_PERMISSIONS' };
/** Remembered answers per resolved policy (addresses, origins and queries together); past it, answers are computed each time. */
const MAX_ANSWERS = 1000;

export function resolvePolicy(key: KeyPolicy, roles: readonly { name: string; permissions: readonly string[] }[], identity: Identity | null): ResolvedPolicy {
  // A role deleted meanwhile grants nothing; the key keeps listing only roles that exist.
  const held = roles.filter((r) => key.roles.includes(r.name));
  return {
    permissions: effectivePermissions(key.permissions, held),
    roles: key.roles,
    ips: key.restrictions.ips,
    origins: key.restrictions.origins,
    meta: key.meta,
    identity,
    answers: new Map(),
  };
}

function remembered(policy: ResolvedPolicy, slot: string, decide: () => boolean): boolean {
  const known = policy.answers.get(slot);
  if (known !== undefined) return known;
  const answer = decide();
  if (policy.answers.size < MAX_ANSWERS) policy.answers.set(slot, answer);
  return answer;
}

/** Why `policy` refuses a verification with this context and query, or null when it allows it. */
export function policyRefusal(policy: ResolvedPolicy, context: VerifyContext | undefined, query: CheckedQuery | null): PolicyRefusal | null {
  const ip = context?.ip;
  if (policy.ips.length > 0 && (ip === undefined || !remembered(policy, `i${ip}`, () => ipAllowed(ip, policy.ips)))) return IP_REFUSAL;
  const origin = context?.origin;
  if (policy.origins.length > 0 && (origin === undefined || !remembered(policy, `o${origin}`, () => originAllowed(origin, policy.origins)))) return ORIGIN_REFUSAL;
  if (query && !remembered(policy, `q${query.text}`, () => evaluateQuery(query.query, policy.permissions))) return PERMISSION_REFUSAL;
  return null;
}

export const refusalReason = (r: PolicyRefusal): RefusalReason => (r.code === 'FORBIDDEN' ? r.reason : r.code);

/** Parsed queries by text: services send the same few queries over and over. */
const parsedQueries = new Map<string, CheckedQuery>();
const MAX_PARSED_QUERIES = 1000;

/** The query parsed, or a 400 whose message says where it stops making sense. */
export function checkedQuery(text: string): CheckedQuery {
  const known = parsedQueries.get(text);
  if (known) return known;
  const parsed = parsePermissionQuery(text);
  if (!parsed.ok) throw badRequest(`permissions: ${parsed.message}`);
  const checked = { text, query: parsed.query };
  if (parsedQueries.size >= MAX_PARSED_QUERIES) parsedQueries.delete(parsedQueries.keys().next().value!);
  parsedQueries.set(text, checked);
  return checked;
}
