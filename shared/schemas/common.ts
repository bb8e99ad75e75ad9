import { z } from 'zod';
import { findKeys } from '../key-format';

/** Public ids are random base62 strings with a type prefix (`key_…`, `team_…`, `usr_…`). */
export const PublicIdSchema = z.string().trim().min(4, 'id is too short').max(64, 'id is too long').regex(/^[a-z]+_[0-9A-Za-z]+$/, 'not a valid id');
export const TeamIdSchema = PublicIdSchema;
export const UserIdSchema = PublicIdSchema;

/**
 * C0 and C1 controls (CR, LF and TAB too), the Unicode line and paragraph separators, and the
 * bidi embeddings, overrides and isolates: in a name they could forge a log or console line, or
 * make text display in another order than it is stored (Trojan Source). The logger escapes the
 * same set (server/deps.ts).
 */
// Matching control characters is the point here.
// eslint-disable-next-line no-control-regex
export const CONTROL_OR_BIDI = /[\u0000-\u001F\u007F-\u009F\u2028\u2029\u202A-\u202E\u2066-\u2069]/;

/**
 * The one refinement every name field starts from (key, member, team, webhook and key request names,
 * and the reasons and notes beside them). It checks the raw input, before any `.trim()`, so a
 * trailing newline is refused rather than quietly removed. A name holding a working key would hand
 * its plaintext to everyone the name is shown to (lists, emails, webhook payloads), so that is
 * refused too, by the same `findKeys` the leak guard scans pages with.
 */
export const NameTextSchema = z
  .string()
  .refine((s) => !CONTROL_OR_BIDI.test(s), { message: 'must not contain control characters or bidi overrides', abort: true })
  .refine((s) => findKeys(s).length === 0, { message: 'must not contain an API key: names are shown to others (revoke the key if it is real)', abort: true });

export const RoleSchema = z.enum(['super_admin', 'admin', 'member']);
export type Role = z.infer<typeof RoleSchema>;

export const EmailSchema = z.string().trim().toLowerCase().pipe(z.email('not a valid email address')).pipe(z.string().max(254));

export const TeamInput = z.object({ teamId: TeamIdSchema });

export const CursorSchema = z.string().max(512).optional();

export function isAdminRole(role: Role): boolean {
  return role === 'admin' || role === 'super_admin';
}
