import { z } from 'zod';
import { TeamIdSchema } from '../../../shared/schemas/common';
import { KeyChangesPageSchema, KeyChangesQuerySchema, type KeyChangesQuery } from '../../../shared/schemas/key-change';
import type { Services } from '../../services';
import type { RestRoute } from './route';

/** The change feed the SDK follows to drop cached answers (issue 27). */
export function keyChangesRoutes(services: Pick<Services, 'keyChanges'>): RestRoute[] {
  return [
    {
      method: 'get',
      path: '/v1/teams/{teamId}/keys/changes',
      operationId: 'listKeyChanges',
      summary:
        'Key changes after a sequence number, oldest first; waitSeconds long-polls until one arrives. Events are kept 7 days: an older "after" answers 410 (drop every cached answer and start again without "after").',
      scope: 'keys:feed',
      params: z.object({ teamId: TeamIdSchema }),
      query: KeyChangesQuerySchema,
      success: { status: 200, description: 'The events after "after" and the "after" of the next call.', schema: KeyChangesPageSchema },
      problems: ['GONE'],
      // The mount has checked that the token belongs to this team (another team: 404).
      handler: (call) => services.keyChanges.read(call.token.teamId, call.query as KeyChangesQuery, call.signal),
    },
  ];
}
