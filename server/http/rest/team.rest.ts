import { AuditListInput, AuditPageSchema } from '../../../shared/schemas/audit';
import { AuditQuery, TeamPathParams, UsageQuery } from '../../../shared/schemas/rest';
import { MemberListSchema } from '../../../shared/schemas/team';
import { UsageOverviewInput, UsageOverviewSchema } from '../../../shared/schemas/usage';
import type { Services } from '../../services';
import type { RestRoute } from './route';

/** The team's audit log, members and usage over REST: the services of `audit.list`, `members.list` and `usage.overview`. */
export function teamRestRoutes(services: Services): RestRoute[] {
  return [
    {
      method: 'get',
      path: '/v1/teams/{teamId}/audit',
      operationId: 'listAudit',
      summary: "The team's audit log, newest first, paged.",
      scope: 'audit:read',
      params: TeamPathParams,
      query: AuditQuery,
      success: { status: 200, description: 'A page of audit records and the cursor of the next page (null on the last).', schema: AuditPageSchema },
      handler: ({ params, query }) => {
        const input = AuditListInput.parse({ ...query, teamId: params.teamId });
        return services.audit.list(input.teamId, input.cursor, input.limit);
      },
    },
    {
      method: 'get',
      path: '/v1/teams/{teamId}/members',
      operationId: 'listMembers',
      summary: "The team's members and their roles.",
      scope: 'members:read',
      params: TeamPathParams,
      success: { status: 200, description: 'The members.', schema: MemberListSchema },
      handler: ({ params }) => services.members.list(params.teamId!),
    },
    {
      method: 'get',
      path: '/v1/teams/{teamId}/usage',
      operationId: 'getUsage',
      summary: "The team's usage overview over the last 24 hours, 7 days or 30 days.",
      scope: 'usage:read',
      params: TeamPathParams,
      query: UsageQuery,
      success: { status: 200, description: 'The usage overview.', schema: UsageOverviewSchema },
      handler: ({ params, query }) => {
        const input = UsageOverviewInput.parse({ ...query, teamId: params.teamId });
        return services.usage.overview(input.teamId, input.range);
      },
    },
  ];
}
