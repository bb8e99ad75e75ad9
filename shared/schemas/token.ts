import { z } from 'zod';

/**
 * What a team API token may do. One list: the tokens procedures, the REST routes
 * (each names the scope it needs), the OpenAPI document and the extension's
 * checklist all read it from here.
 */
export const TOKEN_SCOPES = ['keys:read', 'keys:write', 'keys:revoke', 'keys:feed', 'audit:read', 'members:read', 'usage:read', 'webhooks:write'] as const;
export const TokenScopeSchema = z.enum(TOKEN_SCOPES);
export type TokenScope = z.infer<typeof TokenScopeSchema>;

/**
 * What each scope allows, in one line: the extension's checklist and the OpenAPI
 * document both show these words. A `Record` over the scopes, so a new scope fails
 * the typecheck until it is described.
 */
export const TOKEN_SCOPE_DESCRIPTIONS: Record<TokenScope, string> = {
  'keys:read': 'List the team\'s keys and read any one of them.',
  'keys:write': 'Create keys and change their settings.',
  'keys:revoke': 'Revoke, disable and enable keys.',
  'keys:feed': 'Follow the change feed of the team\'s keys.',
  'audit:read': 'Read the team\'s audit log.',
  'members:read': 'List the team\'s members and their roles.',
  'usage:read': 'Read the team\'s usage overview.',
  'webhooks:write': 'Manage the team\'s webhooks.',
};
