import { describe, expect, it } from 'vitest';
import type { z } from 'zod';
import {
  ExternalIdSchema,
  KeyPolicyInput,
  MetaSchema,
  PermissionQuerySchema,
  PermissionsSchema,
  RestrictionsSchema,
  RoleNameSchema,
  RoleSchema,
  VerifyContextSchema,
} from '../../shared/schemas/policy';

function messages(schema: z.ZodType, value: unknown): string[] {
  const result = schema.safeParse(value);
  return result.success ? [] : result.error.issues.map((i) => i.message);
}

describe('key policy schemas', () => {
  it('accept permissions in dot-separated segments with a final wildcard', () => {
    expect(PermissionsSchema.parse(['docs.read', 'billing.invoices.write', 'billing.*', 'org:1.x_y-z', '*'])).toHaveLength(5);
  });

  it('refuse a bad permission with a message naming it', () => {
    expect(messages(PermissionsSchema, ['Docs.read'])).toEqual(['"Docs.read": a permission uses only a-z, 0-9, _, -, : and . between segments']);
    expect(messages(PermissionsSchema, ['billing.*.read'])).toEqual(['"billing.*.read": a * may only be the whole last segment, as in billing.*']);
    expect(messages(PermissionsSchema, ['docs.'])).toEqual(['"docs.": a permission is segments separated by single dots, as in docs.read']);
    expect(messages(PermissionsSchema, [''])).toEqual(['"": a permission is 1 to 64 characters']);
    expect(messages(PermissionsSchema, ['a'.repeat(65)])).toEqual([`"${'a'.repeat(65)}": a permission is at most 64 characters`]);
    expect(messages(PermissionsSchema, ['a', 'a'])).toEqual(['each permission at most once']);
    expect(messages(PermissionsSchema, Array.from({ length: 101 }, (_, i) => `p${i}`))).toEqual(['at most 100 permissions']);
  });

  it('take addresses, CIDR ranges and origin patterns, defaulting to no restriction', () => {
    expect(RestrictionsSchema.parse({})).toEqual({ ips: [], origins: [] });
    expect(RestrictionsSchema.parse({ ips: ['203.0.113.7', '10.0.0.0/8', '2001:db8::/32', '::ffff:1.2.3.4'], origins: ['https://app.example.com', 'https://*.example.com'] }).ips).toHaveLength(4);
  });

  it('refuse restrictions that are not addresses or origins, saying which', () => {
    expect(messages(RestrictionsSchema, { ips: ['10.0.0.0/33'] })).toEqual(['"10.0.0.0/33" is not an IP address or CIDR range (like 203.0.113.7, 10.0.0.0/8 or 2001:db8::/32)']);
    expect(messages(RestrictionsSchema, { origins: ['https://app.example.com/login'] })).toEqual([
      'https://app.example.com/login is not an origin: remove the path (an origin is scheme://host[:port])',
    ]);
    expect(messages(RestrictionsSchema, { origins: ['https://app.*.example.com'] })).toEqual([
      'https://app.*.example.com: a wildcard may only be the first label of the host, as in https://*.example.com',
    ]);
    expect(messages(RestrictionsSchema, { origins: ['https://*.com'] })).toEqual([
      'https://*.com: a wildcard needs a domain of two or more labels after it, as in https://*.example.com',
    ]);
    expect(messages(RestrictionsSchema, { ips: Array.from({ length: 51 }, (_, i) => `10.0.0.${i}`) })).toEqual(['at most 50 addresses or ranges']);
  });

  it('take meta as a JSON object of at most 2 KiB, or null', () => {
    expect(MetaSchema.parse({ plan: 'pro', limits: [1, 2, { deep: null }] })).toEqual({ plan: 'pro', limits: [1, 2, { deep: null }] });
    expect(MetaSchema.parse(null)).toBeNull();
    expect(messages(MetaSchema, { blob: 'x'.repeat(2048) })).toEqual(['meta is at most 2048 bytes of JSON']);
    // Counted in UTF-8 bytes: 700 three-byte characters are 2,100 bytes.
    expect(messages(MetaSchema, { t: '€'.repeat(700) })).toEqual(['meta is at most 2048 bytes of JSON']);
    expect(MetaSchema.safeParse([1, 2]).success).toBe(false);
    expect(MetaSchema.safeParse('text').success).toBe(false);
  });

  it('take an externalId of 1 to 128 characters without control characters', () => {
    expect(ExternalIdSchema.parse(' customer_42 ')).toBe('customer_42');
    expect(messages(ExternalIdSchema, '')).toEqual(['externalId is 1 to 128 characters']);
    expect(messages(ExternalIdSchema, 'x'.repeat(129))).toEqual(['externalId is at most 128 characters']);
    expect(ExternalIdSchema.safeParse('a\nb').success).toBe(false);
  });

  it('take roles with sane names and defaults', () => {
    expect(RoleSchema.parse({ name: 'support', permissions: ['docs.read'] })).toEqual({ name: 'support', permissions: ['docs.read'], description: '', memberAssignable: false });
    expect(messages(RoleNameSchema, 'Support Team')).toEqual(['a role name uses a-z, 0-9, _, -, . and :, and starts with a letter or digit']);
    expect(messages(KeyPolicyInput, { roles: ['a', 'a'] })).toEqual(['each role at most once']);
  });

  it('take a verify context and a query of at most 1,000 characters', () => {
    expect(VerifyContextSchema.parse({ ip: '::ffff:1.2.3.4', origin: 'https://app.example.com' })).toEqual({ ip: '::ffff:1.2.3.4', origin: 'https://app.example.com' });
    expect(messages(VerifyContextSchema, { ip: '1.2.3.0/24' })).toEqual(['context.ip is not an IP address']);
    expect(messages(VerifyContextSchema, { origin: 'https://*.example.com' })).toEqual(['context.origin is not an origin like https://app.example.com']);
    expect(messages(PermissionQuerySchema, 'a'.repeat(1001))).toEqual(['a permission query is at most 1000 characters']);
  });

  it('leave every key policy field optional, and let externalId be cleared', () => {
    expect(KeyPolicyInput.parse({})).toEqual({});
    expect(KeyPolicyInput.parse({ externalId: null, meta: null })).toEqual({ externalId: null, meta: null });
  });
});
