import type { z } from 'zod';
import type { TokenScope } from '../../../shared/schemas/token';
import type { AppErrorCode } from '../../errors';
import type { Actor } from '../../services/actor';

/**
 * One REST route under `/v1/teams/{teamId}/`, declared once: the Hono app mounts it
 * and the OpenAPI document is generated from the same declaration, so the two can
 * never disagree. Every schema here is a zod schema from `shared/`.
 */
export interface RestRoute {
  method: 'get' | 'post' | 'patch' | 'delete';
  /** OpenAPI style, e.g. `/v1/teams/{teamId}/keys/{keyId}`. */
  path: string;
  operationId: string;
  summary: string;
  /** The scope a token needs; the route answers 403 naming it when the token lacks it. */
  scope: TokenScope;
  /** Path parameters (always includes teamId). */
  params: z.ZodObject;
  query?: z.ZodObject;
  body?: z.ZodType;
  /** The success status and its body (`null` for an empty answer). */
  success: { status: 200 | 201 | 202 | 204; description: string; schema: z.ZodType | null };
  /** Errors this route may answer beyond the ones every route lists (the OpenAPI document names them). */
  problems?: AppErrorCode[];
  handler: (call: RestCall) => Promise<unknown>;
}

/** What a handler is given: already validated input and the token's actor. */
export interface RestCall {
  params: Record<string, string>;
  query: Record<string, unknown>;
  body: unknown;
  /** The token acting (`actor: { tokenId, name, createdBy }` in the audit), with the team it belongs to. */
  token: { tokenId: string; name: string; createdBy: string; teamId: string; scopes: TokenScope[] };
  /** The token as the services' actor: its creator's user id, email and current team role, and `token` for the audit. */
  actor: Actor;
  ip: string | null;
  userAgent: string | null;
  /** Aborted when the client goes away (long polls stop early). */
  signal: AbortSignal;
}
