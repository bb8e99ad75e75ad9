import {
  WebhookDeletedSchema,
  WebhookDeliveryPageSchema,
  WebhookEndpointListSchema,
  WebhookEndpointSchema,
  WebhookTestResultSchema,
  WebhookWithSecretSchema,
} from '../../../shared/schemas/webhook';
import { CreateWebhookBody, TeamPathParams, UpdateWebhookBody, WebhookDeliveriesQuery, WebhookPathParams } from '../../../shared/schemas/rest';
import type { z } from 'zod';
import type { WebhookEvent } from '../../../shared/schemas/webhook';
import type { TokenScope } from '../../../shared/schemas/token';
import { AppError } from '../../errors';
import type { Services } from '../../services';
import type { RestCall, RestRoute } from './route';

/**
 * The team's webhook endpoints over REST, all under the `webhooks:write` scope (managing them
 * includes seeing them and their deliveries): each route calls the service webhooks.* calls.
 */
const HOOKS = '/v1/teams/{teamId}/webhooks';

/**
 * The scope whose content an event carries: an endpoint receives its owners' emails, key names and
 * actors, so a token may subscribe one only if it may read them otherwise (`webhooks:write` alone
 * must not be a way around `keys:read`, `members:read` or `audit:read`).
 */
const readScopeOf = (event: WebhookEvent): TokenScope =>
  event.startsWith('member.') ? 'members:read' : event === 'settings.updated' || event === 'token.leaked' ? 'audit:read' : 'keys:read';

function checkEventScopes(call: RestCall, events: WebhookEvent[] | undefined) {
  const missing = [...new Set((events ?? []).map(readScopeOf))].filter((scope) => !call.token.scopes.includes(scope));
  if (missing.length > 0) {
    throw new AppError('FORBIDDEN', `This token lacks the scope ${missing.join(' and ')}, which the chosen events need: an endpoint receives what they carry.`);
  }
}
const HOOK = `${HOOKS}/{endpointId}`;

export function webhooksRestRoutes(services: Services): RestRoute[] {
  const endpoint = (params: Record<string, string>) => ({ teamId: params.teamId!, endpointId: params.endpointId! });
  return [
    {
      method: 'get',
      path: HOOKS,
      operationId: 'listWebhooks',
      summary: "The team's webhook endpoints (never their secrets).",
      scope: 'webhooks:write',
      params: TeamPathParams,
      success: { status: 200, description: 'The endpoints.', schema: WebhookEndpointListSchema },
      handler: ({ params }) => services.webhooks.list(params.teamId!),
    },
    {
      method: 'post',
      path: HOOKS,
      operationId: 'createWebhook',
      summary:
        'Add an endpoint that receives the chosen events, signed (Standard Webhooks). Its signing secret is in this answer only. The token needs the read scope of what the events carry: keys:read for key and canary events, members:read for member events, audit:read for settings.updated and token.leaked.',
      scope: 'webhooks:write',
      params: TeamPathParams,
      body: CreateWebhookBody,
      success: { status: 201, description: 'The endpoint and its signing secret (shown once).', schema: WebhookWithSecretSchema },
      handler: (call) => {
        const body = call.body as z.output<typeof CreateWebhookBody>;
        checkEventScopes(call, body.events);
        return services.webhooks.create(call.actor, { ...body, teamId: call.params.teamId! });
      },
    },
    {
      method: 'patch',
      path: HOOK,
      operationId: 'updateWebhook',
      summary: "Change an endpoint's URL, events (with their read scopes, as for adding one), description, format, or turn it off or on (absent: unchanged).",
      scope: 'webhooks:write',
      params: WebhookPathParams,
      body: UpdateWebhookBody,
      success: { status: 200, description: 'The endpoint as it now is.', schema: WebhookEndpointSchema },
      handler: (call) => {
        const body = call.body as z.output<typeof UpdateWebhookBody>;
        checkEventScopes(call, body.events);
        return services.webhooks.update(call.actor, { ...body, ...endpoint(call.params) });
      },
    },
    {
      method: 'delete',
      path: HOOK,
      operationId: 'deleteWebhook',
      summary: 'Delete an endpoint: nothing more is sent to it.',
      scope: 'webhooks:write',
      params: WebhookPathParams,
      success: { status: 200, description: 'Deleted.', schema: WebhookDeletedSchema },
      handler: ({ params, actor }) => services.webhooks.delete(actor, params.teamId!, params.endpointId!),
    },
    {
      method: 'post',
      path: `${HOOK}/rotate-secret`,
      operationId: 'rotateWebhookSecret',
      summary: 'A new signing secret, shown once; the previous one keeps signing beside it for 24 hours.',
      scope: 'webhooks:write',
      params: WebhookPathParams,
      success: { status: 200, description: 'The endpoint and its new signing secret (shown once).', schema: WebhookWithSecretSchema },
      handler: ({ params, actor }) => services.webhooks.rotateSecret(actor, params.teamId!, params.endpointId!),
    },
    {
      method: 'post',
      path: `${HOOK}/test`,
      operationId: 'testWebhook',
      summary: 'Send the endpoint a test event.',
      scope: 'webhooks:write',
      params: WebhookPathParams,
      success: { status: 202, description: 'The test event is queued; its delivery shows in the deliveries.', schema: WebhookTestResultSchema },
      handler: ({ params }) => services.webhooks.test(params.teamId!, params.endpointId!),
    },
    {
      method: 'get',
      path: `${HOOK}/deliveries`,
      operationId: 'listWebhookDeliveries',
      summary: "An endpoint's delivery attempts, newest first, paged.",
      scope: 'webhooks:write',
      params: WebhookPathParams,
      query: WebhookDeliveriesQuery,
      success: { status: 200, description: 'A page of delivery attempts and the cursor of the next page (null on the last).', schema: WebhookDeliveryPageSchema },
      handler: ({ params, query }) => services.webhooks.deliveries(params.teamId!, params.endpointId!, query.cursor as string | undefined, (query.limit as number | undefined) ?? 50),
    },
  ];
}
