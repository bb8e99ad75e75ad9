import type { Deps } from '../deps';
import type { Repos } from '../db/repos';
import { createAlertsBus } from './alerts-bus';
import { alertsService } from './alerts.service';
import { expiryWarningsService } from './expiry-warnings.service';
import { notificationsService } from './notifications.service';
import { noticePublisher } from './notice-publisher';
import { notifyService } from './notify.service';
import { outboxService, type OutboxOptions } from './outbox.service';
import { auditService } from './audit.service';
import { authService } from './auth.service';
import { keyActionsService } from './key-actions.service';
import { keyChangesService } from './key-changes.service';
import type { KeyEvents } from './key-events';
import { keysService } from './keys.service';
import { keysAdminService } from './keys-admin.service';
import { membersService } from './members.service';
import { invitationsService } from './invitations.service';
import { settingsService } from './settings.service';
import { teamsService } from './teams.service';
import { jobLeasesService } from './job-leases.service';
import { keyHolderService } from './key-holder.service';
import { usageService, type UsageOptions } from './usage.service';
import { usedAfterRevokeNotices } from './usage-notices';
import { verifyService, type VerifyOptions } from './verify.service';
import { idleKeysService } from './idle-keys.service';
import { keyRequestsService } from './key-requests.service';
import { rotationService } from './rotation.service';
import { canaryService } from './canary.service';
import { leakAlerts } from './leak-alerts';
import { leaksService } from './leaks.service';
import { webhooksService } from './webhooks.service';
import { tokensService } from './tokens.service';
import type { WebhookOptions } from './webhook-delivery';
import { rolesService } from './roles.service';
import { identitiesService } from './identities.service';
import { keyPreviewService } from './key-preview.service';
import { limitsService } from './limits.service';
import { keyLimitsService } from './key-limits.service';
import { limitAlerts } from './limit-alerts';

/**
 * Wires repos into services once per process (or per test). The repos come from the data layer
 * (server/db/repos.ts) and stop here: the returned services do not hand them on.
 */
export function createServices(
  deps: Deps,
  repos: Repos,
  overrides: { keyEvents?: KeyEvents; outbox?: Partial<OutboxOptions>; verify?: Partial<VerifyOptions>; usage?: Partial<UsageOptions>; webhooks?: Partial<WebhookOptions> } = {},
) {
  const audit = auditService(deps, repos.audit);
  const teams = teamsService(deps, repos);
  const auth = authService(deps, repos, teams, audit);
  const alertsBus = createAlertsBus(repos.revisions, deps.log);
  const outbox = outboxService(deps, repos, audit, overrides.outbox);
  // Every notice, whoever words it, is published the one way: row, badge signal, email.
  const publishNotices = noticePublisher(repos, outbox, alertsBus);
  const notify = notifyService(deps, repos, publishNotices);
  // Webhook events are made where audit records and expiry notices are (one event per record or notice).
  const webhooks = webhooksService(deps, repos, audit, outbox, overrides.webhooks);
  audit.onRecord(webhooks.fromAudit);
  const notifications = notificationsService(deps, repos, alertsBus);
  const alerts = alertsService(deps, repos);
  const expiryWarnings = expiryWarningsService(deps, repos, {
    ...notify,
    publish: async (notices) => {
      await notify.publish(notices);
      await webhooks.fromNotices(notices);
    },
  });
  const usage = usageService(deps, repos, overrides.usage);
  const usedAfterRevoke = usedAfterRevokeNotices(deps, repos, publishNotices);
  const leakAlertsService = leakAlerts(deps, repos, publishNotices);
  const canary = canaryService(deps, repos, audit, leakAlertsService);
  const limits = limitsService(deps, repos, limitAlerts(deps, repos, publishNotices, webhooks));
  const verify = verifyService(deps, repos, overrides.verify, usage.recorder, canary, limits);
  const keyChanges = keyChangesService(deps, repos);
  const keyActions = keyActionsService(deps, repos, audit, overrides.keyEvents ?? notify, verify.keyStateChanged, keyChanges);
  const keyRequests = keyRequestsService(deps, repos, audit, notify);
  // Every key stored here (created, rotated, imported) joins verify's set of known keys at once: until the next
  // poll a flood of made-up keys would otherwise take its reads, and a key imported with an old creation date
  // would never join (the poll reads keys by creation date).
  const issuing: Repos = { ...repos, keys: { ...repos.keys, insert: async (hash, key) => (await repos.keys.insert(hash, key), verify.keyIssued(hash)) } };
  const keys = keysService(deps, issuing, audit, keyActions, keyRequests.grants, verify.keyStateChanged);
  const rotation = rotationService(deps, issuing, keys, keyActions, audit, notify, verify.keyStateChanged);
  const idleKeys = idleKeysService(deps, repos, keyActions, notify);
  const keysAdmin = keysAdminService(deps, repos, keys, keyActions);
  const settings = settingsService(deps, repos, teams, audit, keyActions);
  const invitations = invitationsService(deps, repos, audit, outbox, alertsBus);
  const tokens = tokensService(deps, repos, audit, leakAlertsService);
  const members = membersService(repos, teams, audit, keyActions, invitations, tokens);
  const leaks = leaksService(deps, repos, audit, keyActions, leakAlertsService, canary, tokens);
  const keyHolder = keyHolderService(repos, verify, keys);
  const roles = rolesService(deps, repos, audit, verify.keyStateChanged, keyChanges);
  const identities = identitiesService(repos, audit, keys.rows, verify.keyStateChanged);
  const keyPreview = keyPreviewService(deps, repos, usage.recorder);
  const keyLimits = keyLimitsService(deps, repos, limits, identities, keys, audit, verify.keyStateChanged, keyChanges);
  const health = { databaseUp: () => repos.health.ping() };
  const jobLeases = jobLeasesService(deps, repos.leases);
  return { keyChanges, tokens, keyLimits, roles, identities, keyPreview, webhooks, rotation, idleKeys, keyRequests, leaks, canary, health, jobLeases, keyHolder, audit, teams, auth, keyActions, keys, verify, keysAdmin, settings, members, invitations, alertsBus, outbox, notify, notifications, alerts, expiryWarnings, usage, usedAfterRevoke, limits };
}
export type Services = ReturnType<typeof createServices>;
