import { CreatedKeySchema, CreateKeyInput, KeyListSchema, KeyRowSchema, KeyStatusSchema, ListKeysInput, RevokeResultSchema, UpdateKeyInput } from '../../../shared/schemas/key';
import { CreateKeyBody, KeyPathParams, ListKeysQuery, RevokeKeysBody, TeamPathParams, UpdateKeyBody } from '../../../shared/schemas/rest';
import { notFound } from '../../errors';
import type { Services } from '../../services';
import { invalidInput } from './problem';
import type { RestRoute } from './route';

/**
 * The keys of the token's team over REST: each route calls the service its tRPC procedure calls,
 * with the token as the actor (its creator's role at most).
 */
const KEYS = '/v1/teams/{teamId}/keys';
const KEY = `${KEYS}/{keyId}`;

export function keysRestRoutes(services: Services): RestRoute[] {
  /** A one-key change (revoke, disable, enable): answers the key's row as it now is; a key not in the team is 404. */
  const changeOne = (action: 'revoke' | 'disable' | 'enable', operationId: string, summary: string): RestRoute => ({
    method: 'post',
    path: `${KEY}/${action}`,
    operationId,
    summary,
    scope: 'keys:revoke',
    params: KeyPathParams,
    success: { status: 200, description: 'The key as it now is.', schema: KeyRowSchema },
    handler: async ({ params, actor }) => {
      const { teamId, keyId } = params as { teamId: string; keyId: string };
      const result = await services.keysAdmin[action](actor, teamId, [keyId]);
      if (result.notFound.length > 0) throw notFound('Key not found.');
      return services.keys.get(teamId, keyId);
    },
  });

  return [
    {
      method: 'get',
      path: KEYS,
      operationId: 'listKeys',
      summary: "List the team's keys: filtered (view, search, generatedBy), sorted and paged, with the counts of the filters' keys by status.",
      scope: 'keys:read',
      params: TeamPathParams,
      query: ListKeysQuery,
      success: { status: 200, description: 'A page of keys, the cursor of the next page (null on the last) and the counts.', schema: KeyListSchema },
      // Without `view`, keys of every status.
      handler: ({ params, query }) => services.keysAdmin.list(ListKeysInput.parse({ view: KeyStatusSchema.options, ...query, teamId: params.teamId })),
    },
    {
      method: 'post',
      path: KEYS,
      operationId: 'createKey',
      summary: "Create a key for a member of the team (ownerId; default the token's creator). The key's value is in this answer only.",
      scope: 'keys:write',
      params: TeamPathParams,
      body: CreateKeyBody,
      success: { status: 201, description: 'The new key (shown once, never stored) and its row.', schema: CreatedKeySchema },
      handler: async ({ params, body, actor }) => {
        const { ownerId, ...fields } = body as { ownerId?: string };
        // keys.create's own schema, in full (its cross-field rules too), with the team from the path.
        const input = CreateKeyInput.safeParse({ ...fields, teamId: params.teamId });
        if (!input.success) throw invalidInput('body', input.error);
        return services.keys.create({ ...actor, role: actor.role! }, { ...input.data, ownerId });
      },
    },
    {
      method: 'post',
      path: `${KEYS}/revoke`,
      operationId: 'revokeKeys',
      summary: 'Revoke keys of the team by id; ids not in the team are listed as not found.',
      scope: 'keys:revoke',
      params: TeamPathParams,
      body: RevokeKeysBody,
      success: { status: 200, description: 'The ids revoked by this call, already revoked, and not found.', schema: RevokeResultSchema },
      handler: ({ params, body, actor }) => services.keysAdmin.revoke(actor, params.teamId!, (body as { keyIds: string[] }).keyIds),
    },
    {
      method: 'get',
      path: KEY,
      operationId: 'getKey',
      summary: 'One key of the team.',
      scope: 'keys:read',
      params: KeyPathParams,
      success: { status: 200, description: 'The key.', schema: KeyRowSchema },
      handler: ({ params }) => services.keys.get(params.teamId!, params.keyId!),
    },
    {
      method: 'patch',
      path: KEY,
      operationId: 'updateKey',
      summary: "Change a key's policy and limits: permissions, roles, restrictions, meta, externalId, ratelimits, credits (absent: unchanged).",
      scope: 'keys:write',
      params: KeyPathParams,
      body: UpdateKeyBody,
      success: { status: 200, description: 'The key as it now is.', schema: KeyRowSchema },
      // A revoked or expired key's settings no longer change.
      problems: ['PRECONDITION_FAILED'],
      handler: ({ params, body, actor }) => services.keyLimits.update({ ...actor, role: actor.role! }, UpdateKeyInput.parse({ ...(body as object), teamId: params.teamId, keyId: params.keyId })),
    },
    changeOne('revoke', 'revokeKey', 'Revoke a key (idempotent: a revoked key stays as it was).'),
    changeOne('disable', 'disableKey', 'Disable a key: it fails verification until enabled again.'),
    changeOne('enable', 'enableKey', 'Enable a disabled key.'),
  ];
}
