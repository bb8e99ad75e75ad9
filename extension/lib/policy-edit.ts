import { KeyPolicyInput, type Meta, type Restrictions } from '../../shared/schemas/policy';

/** A key's policy as a row carries it (KeyRow's policy fields). */
export interface PolicyFields {
  permissions: string[];
  roles: string[];
  restrictions: Restrictions;
  meta: Meta;
  externalId: string | null;
}

/** What the form holds: lists as text, one entry a line (commas work too), meta as JSON text. */
export interface PolicyDraft {
  permissions: string;
  roles: string[];
  ips: string;
  origins: string;
  meta: string;
  externalId: string;
}

/** Which fields the viewer may change (the server decides the same and refuses the rest). */
export interface PolicyRights {
  permissions: boolean;
  externalId: boolean;
}

export type PolicyChange = Pick<KeyPolicyInput, 'permissions' | 'roles' | 'restrictions' | 'meta' | 'externalId'>;

export function draftOf(p: PolicyFields): PolicyDraft {
  return {
    permissions: p.permissions.join('\n'),
    roles: [...p.roles],
    ips: p.restrictions.ips.join('\n'),
    origins: p.restrictions.origins.join('\n'),
    meta: p.meta ? JSON.stringify(p.meta, null, 2) : '',
    externalId: p.externalId ?? '',
  };
}

/** "a, b\nc" -> ['a', 'b', 'c'] */
export function entries(text: string): string[] {
  return text
    .split(/[\n,]/)
    .map((s) => s.trim())
    .filter((s) => s.length > 0);
}

const sameSet = (a: readonly string[], b: readonly string[]) => a.length === b.length && [...a].sort().join('\n') === [...b].sort().join('\n');
const sameJson = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);

/**
 * The fields the draft changes, checked with the schema the server takes (so the message is the
 * server's), or the first problem. A field the viewer may not change is never sent.
 */
export function changeOf(before: PolicyFields, draft: PolicyDraft, rights: PolicyRights): { ok: true; change: PolicyChange } | { ok: false; message: string } {
  let meta: unknown = null;
  if (draft.meta.trim() !== '') {
    try {
      meta = JSON.parse(draft.meta);
    } catch (err) {
      return { ok: false, message: `meta is not valid JSON: ${(err as Error).message}` };
    }
    if (meta === null || typeof meta !== 'object' || Array.isArray(meta)) return { ok: false, message: 'meta must be a JSON object, like {"plan": "pro"}' };
  }
  const proposed = {
    permissions: rights.permissions ? entries(draft.permissions) : before.permissions,
    roles: draft.roles,
    restrictions: { ips: entries(draft.ips), origins: entries(draft.origins) },
    meta,
    externalId: rights.externalId ? draft.externalId.trim() || null : before.externalId,
  };
  const parsed = KeyPolicyInput.safeParse(proposed);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const field = String(issue.path[0] ?? '');
    const where = field === 'restrictions' ? (issue.path[1] === 'ips' ? 'Addresses' : 'Origins') : field === 'externalId' ? 'Identity' : field[0]?.toUpperCase() + field.slice(1);
    return { ok: false, message: `${where}: ${issue.message}` };
  }
  const next = parsed.data;
  const change: PolicyChange = {};
  if (next.permissions && !sameSet(next.permissions, before.permissions)) change.permissions = next.permissions;
  if (next.roles && !sameSet(next.roles, before.roles)) change.roles = next.roles;
  if (next.restrictions && (!sameSet(next.restrictions.ips, before.restrictions.ips) || !sameSet(next.restrictions.origins, before.restrictions.origins))) change.restrictions = next.restrictions;
  if (next.meta !== undefined && !sameJson(next.meta, before.meta)) change.meta = next.meta;
  if (next.externalId !== undefined && next.externalId !== before.externalId) change.externalId = next.externalId;
  return { ok: true, change };
}

/** A list restriction narrows when it starts (empty -> some) or loses an entry; adding to a non-empty list only widens. */
function listNarrows(before: readonly string[], after: readonly string[]): boolean {
  if (after.length === 0) return false;
  return before.length === 0 || before.some((entry) => !after.includes(entry));
}

/**
 * Whether the change may refuse a caller the key serves today, so the preview runs first: a
 * permission or role taken away, an address or origin restriction started or an entry removed.
 */
export function isNarrowing(before: PolicyFields, change: PolicyChange): boolean {
  if (change.permissions && before.permissions.some((p) => !change.permissions!.includes(p))) return true;
  if (change.roles && before.roles.some((r) => !change.roles!.includes(r))) return true;
  if (change.restrictions) {
    if (listNarrows(before.restrictions.ips, change.restrictions.ips)) return true;
    if (listNarrows(before.restrictions.origins, change.restrictions.origins)) return true;
  }
  return false;
}

/**
 * The restriction no recorded call can pass: the unspecified address `::` is never a caller's, so
 * a preview against it lists every address the key was used from (the samples of its refusals).
 */
export const NO_CALLER_PASSES: Restrictions = { ips: ['::/128'], origins: [] };

/** The distinct addresses of a preview's refused samples, in the order given (most frequent first). */
export function addressesOf(samples: readonly { ip?: string }[]): string[] {
  return [...new Set(samples.map((s) => s.ip).filter((ip): ip is string => !!ip))];
}
