import type { Deps } from '../deps';
import { actionsRepo } from '../db/actions.repo';
import { auditRepo } from '../db/audit.repo';
import { authRepo } from '../db/auth.repo';
import { keysRepo } from '../db/keys.repo';
import { teamsRepo } from '../db/teams.repo';
import { usersRepo } from '../db/users.repo';
import { invitationsRepo } from '../db/invitations.repo';
import { keyExpiryRepo } from '../db/key-expiry.repo';
import { marksRepo } from '../db/marks.repo';
import { notificationsRepo } from '../db/notifications.repo';
import { outboxRepo } from '../db/outbox.repo';
import { revisionsRepo } from '../db/revisions.repo';
import { usageRepo } from '../db/usage.repo';
import { createAlertsBus } from './alerts-bus';
import { alertsService } from './alerts.service';
import { expiryWarningsService } from './expiry-warnings.service';
import { notificationsService } from './notifications.service';
import { notifyService } from './notify.service';
import { outboxService, type OutboxOptions } from './outbox.service';
import { auditService } from './audit.service';
import { authService } from './auth.service';
import { keyActionsService } from './key-actions.service';
import type { KeyEvents } from './key-events';
import { keysService } from './keys.service';
import { keysAdminService } from './keys-admin.service';
import { membersService } from './members.service';
import { invitationsService } from './invitations.service';
import { settingsService } from './settings.service';
import { teamsService } from './teams.service';
import { usageService, type UsageOptions } from './usage.service';
import { usedAfterRevokeNotices } from './usage-notices';
import { verifyService, type VerifyOptions } from './verify.service';

/** Wires repos into services once per process (or per test). */
export function createServices(
  deps: Deps,
  overrides: { keyEvents?: KeyEvents; outbox?: Partial<OutboxOptions>; verify?: Partial<VerifyOptions>; usage?: Partial<UsageOptions> } = {},
) {
  const repos = {
    teams: teamsRepo(deps.cols),
    users: usersRepo(deps.cols),
    invitations: invitationsRepo(deps.cols),
    auth: authRepo(deps.cols),
    keys: keysRepo(deps.cols),
    audit: auditRepo(deps.cols),
    actions: actionsRepo(deps.cols),
    notifications: notificationsRepo(deps.cols),
    outbox: outboxRepo(deps.cols),
    marks: marksRepo(deps.cols),
    keyExpiry: keyExpiryRepo(deps.cols),
    revisions: revisionsRepo(deps.cols),
    usage: usageRepo(deps.cols),
  };
  const audit = auditService(deps, repos.audit);
  const teams = teamsService(deps, repos);
  const auth = authService(deps, repos, teams, audit);
  const alertsBus = createAlertsBus(repos.revisions, deps.log);
  const outbox = outboxService(deps, repos, audit, overrides.outbox);
  const notify = notifyService(deps, repos, outbox, alertsBus);
  const notifications = notificationsService(deps, repos, alertsBus);
  const alerts = alertsService(deps, repos);
  const expiryWarnings = expiryWarningsService(deps, repos, notify);
  const usage = usageService(deps, repos, overrides.usage);
  const usedAfterRevoke = usedAfterRevokeNotices(deps, repos, alertsBus);
  const verify = verifyService(deps, repos, overrides.verify, usage.recorder);
  const keyActions = keyActionsService(deps, repos, audit, overrides.keyEvents ?? notify, verify.keyStateChanged);
  const keys = keysService(deps, repos, audit, keyActions);
  const keysAdmin = keysAdminService(deps, repos, keys, keyActions);
  const settings = settingsService(deps, repos, teams, audit, keyActions);
  const invitations = invitationsService(deps, repos, audit, outbox);
  const members = membersService(repos, teams, audit, keyActions, invitations);
  return { repos, audit, teams, auth, keyActions, keys, verify, keysAdmin, settings, members, invitations, alertsBus, outbox, notify, notifications, alerts, expiryWarnings, usage, usedAfterRevoke };
}
export type Services = ReturnType<typeof createServices>;
