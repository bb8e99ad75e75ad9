import { z } from 'zod';

/**
 * What a team API token may do. One list: the tokens procedures, the REST routes
 * (each names the scope it needs), the OpenAPI document and the extension's
 * checklist all read it from here.
 */
export const TOKEN_SCOPES = ['keys:read', 'keys:write', 'keys:revoke', 'keys:feed', 'audit:read', 'members:read', 'usage:read', 'webhooks:write'] as const;
export const TokenScopeSchema = z.enum(TOKEN_SCOPES);
export type TokenScope = z.infer<typeof TokenScopeSchema>;
