import { z } from 'zod';
import { NameTextSchema, PublicIdSchema, TeamIdSchema, UserIdSchema } from './common';

/**
 * What a team API token may do. One list: the tokens procedures, the REST routes
 * (each names the scope it needs), the OpenAPI document and the extension's
 * checklist all read it from here.
 */
export const TOKEN_SCOPES = ['keys:read', 'keys:write', 'keys:revoke', 'keys:feed', 'audit:read', 'members:read', 'usage:read', 'webhooks:write'] as const;
export const TokenScopeSchema = z.enum(TOKEN_SCOPES);
export type TokenScope = z.infer<typeof TokenScopeSchema>;

/** One line per scope on what it allows: the extension's checklist and the README's table say the same. */
export const TOKEN_SCOPE_DESCRIPTIONS: Record<TokenScope, string> = {
  'keys:read': 'List and read the team’s keys.',
  'keys:write': 'Create keys (for any member of the team) and change their policy fields.',
  'keys:revoke': 'Revoke, disable and enable keys.',
  'keys:feed': 'Follow the change feed of the team’s keys.',
  'audit:read': 'Read the audit log.',
  'members:read': 'List the team’s members.',
  'usage:read': 'Read the team’s usage overview.',
  'webhooks:write': 'List, add, change and delete the team’s webhooks, rotate their secrets, test them and read their deliveries (subscribing to events also needs the read scope of what they carry).',
};

/** The longest lifetime a token may ask for. */
export const MAX_TOKEN_LIFETIME_DAYS = 365;

export const TokenNameSchema = NameTextSchema.trim().min(1, 'name is required').max(100, 'name is at most 100 characters');

export const CreateTokenInput = z.object({
  teamId: TeamIdSchema,
  name: TokenNameSchema,
  scopes: z
    .array(TokenScopeSchema)
    .min(1, 'choose at least one scope')
    .max(TOKEN_SCOPES.length)
    .refine((s) => new Set(s).size === s.length, 'each scope at most once'),
  /** Absent: the token never expires (it still stops when revoked or when its creator is no longer an admin). */
  expiresInDays: z.number().int('expiresInDays must be a whole number').min(1).max(MAX_TOKEN_LIFETIME_DAYS).optional(),
});
export type CreateTokenInput = z.infer<typeof CreateTokenInput>;

export const TokenIdInput = z.object({ teamId: TeamIdSchema, tokenId: PublicIdSchema });

/** A token as admins see it: never its value, only a hint. `createdBy` is the creating admin's user id. */
export const TokenRowSchema = z.object({
  id: PublicIdSchema,
  name: z.string(),
  hint: z.string(),
  scopes: z.array(TokenScopeSchema),
  createdAt: z.date(),
  createdBy: UserIdSchema,
  expiresAt: z.date().nullable(),
  lastUsedAt: z.date().nullable(),
});
export type TokenRow = z.infer<typeof TokenRowSchema>;

export const TokenListSchema = z.array(TokenRowSchema);
/** tokens.create: the token's value, shown once and never stored, and its row. */
export const CreatedTokenSchema = z.object({ token: z.string(), row: TokenRowSchema });
/** tokens.revoke: whether this call revoked it (false: it already was). */
export const RevokeTokenResultSchema = z.object({ revoked: z.boolean() });

/** The token as the actor of an audit record (`actor: { tokenId, name, createdBy }`). */
export const TokenActorSchema = z.object({ tokenId: z.string(), name: z.string(), createdBy: z.string() });
export type TokenActor = z.infer<typeof TokenActorSchema>;
