import { actionsRepo } from './actions.repo';
import { auditRepo } from './audit.repo';
import { authRepo } from './auth.repo';
import type { Database } from './client';
import type { Collections } from './collections';
import { invitationsRepo } from './invitations.repo';
import { keyExpiryRepo } from './key-expiry.repo';
import { keysRepo } from './keys.repo';
import { keyChangesRepo } from './key-changes.repo';
import { leaksRepo } from './leaks.repo';
import { leasesRepo } from './leases.repo';
import { marksRepo } from './marks.repo';
import { notificationsRepo } from './notifications.repo';
import { outboxRepo } from './outbox.repo';
import { revisionsRepo } from './revisions.repo';
import { teamsRepo } from './teams.repo';
import { usageRepo } from './usage.repo';
import { usersRepo } from './users.repo';
import { webhooksRepo } from './webhooks.repo';
import { rotationsRepo } from './rotations.repo';
import { keyRequestsRepo } from './key-requests.repo';
import { idleKeysRepo } from './idle-keys.repo';
import { canaryAlarmsRepo } from './canary-alarms.repo';
import { tokensRepo } from './tokens.repo';
import { rolesRepo } from './roles.repo';
import { identitiesRepo } from './identities.repo';
import { limitsRepo } from './limits.repo';

/**
 * Every repo over one database's collections. The only thing services are handed from the
 * data layer (createServices); a new repo is registered here with one line.
 */
export function createRepos(cols: Collections, database: Pick<Database, 'ping'>) {
  return {
    /** Whether the database answers now (/health). */
    health: { ping: () => database.ping() },
    teams: teamsRepo(cols),
    users: usersRepo(cols),
    invitations: invitationsRepo(cols),
    auth: authRepo(cols),
    keys: keysRepo(cols),
    audit: auditRepo(cols),
    actions: actionsRepo(cols),
    notifications: notificationsRepo(cols),
    outbox: outboxRepo(cols),
    marks: marksRepo(cols),
    keyExpiry: keyExpiryRepo(cols),
    revisions: revisionsRepo(cols),
    keyChanges: keyChangesRepo(cols),
    usage: usageRepo(cols),
    leases: leasesRepo(cols),
    leaks: leaksRepo(cols),
    webhooks: webhooksRepo(cols),
    rotations: rotationsRepo(cols),
    keyRequests: keyRequestsRepo(cols),
    idleKeys: idleKeysRepo(cols),
    canaryAlarms: canaryAlarmsRepo(cols),
    tokens: tokensRepo(cols),
    roles: rolesRepo(cols),
    identities: identitiesRepo(cols),
    limits: limitsRepo(cols),
  };
}
export type Repos = ReturnType<typeof createRepos>;
