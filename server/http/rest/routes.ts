import type { Services } from '../../services';
import { keyChangesRoutes } from './key-changes.routes';
import { keysRestRoutes } from './keys.rest';
import type { RestRoute } from './route';
import { teamRestRoutes } from './team.rest';
import { webhooksRestRoutes } from './webhooks.rest';

/**
 * Every REST route, from one place: app.ts mounts this list and the OpenAPI document is
 * generated from it. A new route (say, the keys change feed) is added here.
 */
export function restRoutes(services: Services): RestRoute[] {
  return [...keysRestRoutes(services), ...keyChangesRoutes(services), ...teamRestRoutes(services), ...webhooksRestRoutes(services)];
}
