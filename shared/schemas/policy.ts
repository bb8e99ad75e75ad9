import { z } from 'zod';
import { parseIp, parseIpRange } from '../ip-address';
import { originPatternProblem, parseOrigin } from '../origin';
import { MAX_PERMISSION_QUERY_LENGTH, permissionProblem } from '../permissions';
import { NameTextSchema } from './common';

/**
 * What a key may do, from where and for whom (issue 24): permissions, team roles, client
 * restrictions, metadata and the identity. One schema per concept, used by keys.create,
 * keys.update, the roles and identities procedures, verify and the extension's forms.
 */

export const MAX_PERMISSIONS = 100;
export const MAX_IP_RESTRICTIONS = 50;
export const MAX_ORIGIN_RESTRICTIONS = 50;
export const MAX_META_BYTES = 2048;

/** The value quoted in a message, cut short: a message should not echo a megabyte back. */
function quote(value: unknown): string {
  const text = String(value);
  return JSON.stringify(text.length > 80 ? `${text.slice(0, 64)}…` : text);
}

/** `docs.read`, `billing.invoices.write`, `billing.*` (the rules and wording live in shared/permissions.ts). */
export const PermissionSchema = z.string().superRefine((value, ctx) => {
  const problem = permissionProblem(value);
  if (problem) ctx.addIssue({ code: 'custom', message: `${quote(value)}: ${problem}` });
});

export const PermissionsSchema = z
  .array(PermissionSchema)
  .max(MAX_PERMISSIONS, `at most ${MAX_PERMISSIONS} permissions`)
  .refine((list) => new Set(list).size === list.length, 'each permission at most once');

/** A team role's name: lower-case letters, digits, `_`, `-`, `.` and `:`, starting with a letter or digit. */
export const RoleNameSchema = z
  .string()
  .trim()
  .min(1, 'a role name is required')
  .max(64, 'a role name is at most 64 characters')
  .regex(/^[a-z0-9][a-z0-9_.:-]*$/, 'a role name uses a-z, 0-9, _, -, . and :, and starts with a letter or digit');

export const RoleNamesSchema = z
  .array(RoleNameSchema)
  .max(MAX_PERMISSIONS, `at most ${MAX_PERMISSIONS} roles`)
  .refine((list) => new Set(list).size === list.length, 'each role at most once');

/** An IPv4/IPv6 address or CIDR range; an IPv4-mapped IPv6 address is the same as its IPv4 address. */
export const IpRangeSchema = z.string().trim().refine((value) => parseIpRange(value) !== null, {
  error: (issue) => `${quote(issue.input)} is not an IP address or CIDR range (like 203.0.113.7, 10.0.0.0/8 or 2001:db8::/32)`,
});

/** `https://app.example.com` or `https://*.example.com` (see shared/origin.ts for what matches). */
export const OriginPatternSchema = z.string().trim().superRefine((value, ctx) => {
  const problem = originPatternProblem(value);
  if (problem) ctx.addIssue({ code: 'custom', message: problem });
});

/** Where a key may be used from. An empty list means no restriction of that kind. */
export const RestrictionsSchema = z.object({
  ips: z.array(IpRangeSchema).max(MAX_IP_RESTRICTIONS, `at most ${MAX_IP_RESTRICTIONS} addresses or ranges`).default([]),
  origins: z.array(OriginPatternSchema).max(MAX_ORIGIN_RESTRICTIONS, `at most ${MAX_ORIGIN_RESTRICTIONS} origins`).default([]),
});
export type Restrictions = z.infer<typeof RestrictionsSchema>;

function utf8Length(text: string): number {
  return new TextEncoder().encode(text).length;
}

/** A JSON object of at most 2 KiB (serialized, UTF-8), returned by verify; or null for none. */
export const MetaSchema = z
  .record(z.string(), z.json())
  .refine((value) => utf8Length(JSON.stringify(value)) <= MAX_META_BYTES, `meta is at most ${MAX_META_BYTES} bytes of JSON`)
  .nullable();
export type Meta = z.infer<typeof MetaSchema>;

/** The customer or service a key belongs to; keys with the same externalId in a team share one identity. */
export const ExternalIdSchema = NameTextSchema.trim().min(1, 'externalId is 1 to 128 characters').max(128, 'externalId is at most 128 characters');

/** A permission query as verify takes it; its grammar is checked by parsePermissionQuery (400 names the position). */
export const PermissionQuerySchema = z
  .string()
  .max(MAX_PERMISSION_QUERY_LENGTH, `a permission query is at most ${MAX_PERMISSION_QUERY_LENGTH} characters`);

/** The service's caller, as the service passes it to verify (never verify's own caller). */
export const VerifyContextSchema = z.object({
  ip: z
    .string()
    .trim()
    .refine((value) => parseIp(value) !== null, 'context.ip is not an IP address')
    .optional(),
  origin: z
    .string()
    .trim()
    .refine((value) => parseOrigin(value, false) !== null, 'context.origin is not an origin like https://app.example.com')
    .optional(),
});
export type VerifyContext = z.infer<typeof VerifyContextSchema>;

/** A team role: a named set of permissions; `memberAssignable` lets members put it on their own keys. */
export const RoleSchema = z.object({
  name: RoleNameSchema,
  permissions: PermissionsSchema,
  description: z.string().trim().max(500, 'a description is at most 500 characters').default(''),
  memberAssignable: z.boolean().default(false),
});
export type Role = z.infer<typeof RoleSchema>;

/** An identity: what keys with the same externalId in a team share. */
export const IdentitySchema = z.object({
  id: z.string(),
  externalId: ExternalIdSchema,
  meta: MetaSchema,
});
export type Identity = z.infer<typeof IdentitySchema>;

/** The policy fields keys.create and keys.update take, each optional (absent: unchanged or none). */
export const KeyPolicyInput = z.object({
  permissions: PermissionsSchema.optional(),
  roles: RoleNamesSchema.optional(),
  restrictions: RestrictionsSchema.optional(),
  meta: MetaSchema.optional(),
  /** null detaches the key from its identity. */
  externalId: ExternalIdSchema.nullable().optional(),
});
export type KeyPolicyInput = z.infer<typeof KeyPolicyInput>;
