import type { AlertsSummaryResult } from '../../shared/schemas/alerts';
import { isAdminRole } from '../../shared/schemas/common';
import type { KeyExpiryRepo } from '../db/key-expiry.repo';
import type { InvitationsRepo } from '../db/invitations.repo';
import type { KeyRequestsRepo } from '../db/key-requests.repo';
import type { NotificationsRepo } from '../db/notifications.repo';
import type { RevisionsRepo } from '../db/revisions.repo';
import type { TeamsRepo } from '../db/teams.repo';
import type { Deps } from '../deps';
import { sha256 } from '../lib/ids';
import { badgeFor } from './alert-badge';
import { toNotification } from './notifications.service';
import { DAY_MS } from '../../shared/time';

const NEWEST = 5;
const STAMP_BUCKET_MS = 5 * 60_000;

/** Unread notices of these kinds make the badge amber until read: each asks the reader to do something. */
const ATTENTION_KINDS = new Set(['key_idle_warning', 'key_rotated', 'key_request_approved', 'key_request_denied', 'key_credits_low', 'key_credits_exhausted']);

/**
 * What the extension's badge shows, across all of the caller's teams.
 *
 * `revokedUnread`: distinct keys of the caller reported dead (revoked, expired,
 * revoked by a policy) by a notice they have not read; `canaryAlarms`: canaries
 * whose alarm the caller has not read (red too, in words of their own). `expiringSoon`: the
 * caller's keys that still work and expire within their team's largest
 * warning threshold. `pendingRequests`: key requests waiting in the teams the
 * caller administers; `needsAttention`: keys named by unread lifecycle notices
 * (ATTENTION_KINDS); `pendingInvitations`: open invitations to teams the caller
 * is not in yet, waiting for their answer. All three count amber. The `etag` is a hash of everything the summary is made
 * of (unread notices, the newest ones and their read state, the expiring
 * keys), stamped with the shared "keys" and "alerts" revisions. A caller that
 * sends back its etag while neither revision moved gets `{ unchanged: true }`
 * for two `_id` look-ups — cheap enough to poll every minute.
 */
export function alertsService(
  deps: Deps,
  repos: { notifications: NotificationsRepo; teams: TeamsRepo; keyExpiry: KeyExpiryRepo; revisions: RevisionsRepo; keyRequests: KeyRequestsRepo; invitations: InvitationsRepo },
) {
  return {
    async summary(userId: string, etag?: string): Promise<AlertsSummaryResult> {
      const now = deps.now();
      // The cheap path: nothing a badge is made of changed since the caller's etag was made.
      // Time alone moves keys into the warning window, so an etag also expires with its 5-minute bucket.
      const [keysRev, alertsRev] = await Promise.all([repos.revisions.get('keys'), repos.revisions.get('alerts')]);
      // Per user, so one user's etag is never taken for another's.
      const stamp = `${sha256(userId).slice(0, 8)}.${keysRev}.${alertsRev}.${Math.floor(now.getTime() / STAMP_BUCKET_MS)}`;
      if (etag?.startsWith(`"${stamp}:`)) return { unchanged: true, etag };

      const memberships = await repos.teams.listMembershipsOfUser(userId);
      const adminOf = memberships.filter((m) => isAdminRole(m.role)).map((m) => m.teamId);
      const [teams, unread, newest, pendingRequests, invitations] = await Promise.all([
        repos.teams.findTeams(memberships.map((m) => m.teamId)),
        repos.notifications.unreadOf(userId),
        repos.notifications.listForUser(userId, { after: null, limit: NEWEST }),
        repos.keyRequests.countPending(adminOf),
        repos.invitations.listPendingOfUser(userId, now),
      ]);
      const windowDays = new Map(teams.map((t) => [t.id, Math.max(0, ...t.settings.expiryWarningDays)]));
      const horizon = Math.max(0, ...windowDays.values());
      const candidates = horizon > 0 ? await repos.keyExpiry.ownerExpiringBefore(userId, [...windowDays.keys()], now, new Date(now.getTime() + horizon * DAY_MS)) : [];
      const expiring = candidates.filter((k) => k.expiresAt.getTime() - now.getTime() <= (windowDays.get(k.teamId) ?? 0) * DAY_MS);

      // A canary's alarm is not a revocation of one of the caller's keys: it gets its own count and wording.
      const canary = unread.filter((n) => n.kind === 'canary_triggered');
      const revokedUnread = new Set(unread.filter((n) => n.kind !== 'canary_triggered').flatMap((n) => n.revokedKeyIds)).size;
      const canaryAlarms = new Set(canary.flatMap((n) => n.keyIds)).size;
      const expiringSoon = expiring.length;
      const memberOf = new Set(memberships.map((m) => m.teamId));
      const pendingInvitations = invitations.filter((i) => !memberOf.has(i.teamId)).length;
      const needsAttention = new Set(unread.filter((n) => ATTENTION_KINDS.has(n.kind)).flatMap((n) => n.keyIds)).size;
      const fingerprint = JSON.stringify([
        pendingRequests,
        pendingInvitations,
        unread.map((n) => n.id).sort(),
        newest.map((n) => [n.id, n.readAt?.getTime() ?? 0]),
        expiring.map((k) => k.id).sort(),
      ]);
      const content = sha256(fingerprint).slice(0, 32);
      const current = `"${stamp}:${content}"`;
      // The revisions moved but the content did not: still unchanged, under the new stamp.
      if (etag?.endsWith(`:${content}"`)) return { unchanged: true, etag: current };

      const badge = badgeFor({ revokedUnread, expiringSoon, pendingRequests, needsAttention, pendingInvitations, canaryAlarms });
      return { unchanged: false, revokedUnread, expiringSoon, pendingRequests, needsAttention, pendingInvitations, canaryAlarms, items: newest.map(toNotification), badge, etag: current };
    },

    /** Which of the connected users got a notice since `since` (the push socket's cross-instance check). */
    changedSince: (userIds: string[], since: Date) => repos.notifications.usersWithNoticesSince(userIds, since),
  };
}
export type AlertsService = ReturnType<typeof alertsService>;
