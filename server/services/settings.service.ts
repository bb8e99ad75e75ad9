import type { FullTeamSettings, PolicyPreview } from '../../shared/schemas/team';
import type { LeakResponse } from '../../shared/schemas/leak';
import { badRequest } from '../errors';
import type { Deps } from '../deps';
import type { KeysRepo } from '../db/keys.repo';
import type { RevisionsRepo } from '../db/revisions.repo';
import type { TeamsRepo } from '../db/teams.repo';
import type { UsersRepo } from '../db/users.repo';
import type { Actor } from './actor';
import type { AuditService } from './audit.service';
import { policyEffect } from './expiry-policy';
import type { KeyActionsService } from './key-actions.service';
import type { TeamsService } from './teams.service';
import { bumpAlerts } from './alerts-bus';

export interface SettingsChange {
  allowMemberKeyGeneration?: boolean;
  maxLifetimeDays?: number | null;
  expiryWarningDays?: number[];
  leakResponse?: LeakResponse;
  /** Idle-key policy (idle-keys.service); applied by its background pass, previewed by previewIdlePolicy. */
  idleDisableDays?: number | null;
  idleWarningDays?: number;
}

/**
 * Team settings and the expiry policy. Setting `maxLifetimeDays` saves the
 * cap (so every later key gets it) and then applies it to existing keys as a
 * key action; `null` lifts the cap without extending any expiry.
 */
export function settingsService(
  deps: Deps,
  repos: { teams: TeamsRepo; keys: KeysRepo; users: UsersRepo; revisions: RevisionsRepo },
  teams: TeamsService,
  audit: AuditService,
  actions: KeyActionsService,
) {
  return {
    /** Teams made before a setting existed read its default (the teams repo reads settings through settingsOf). */
    get: async (teamId: string): Promise<FullTeamSettings> => (await teams.getTeam(teamId)).settings,

    async update(actor: Actor, teamId: string, change: SettingsChange) {
      const before = (await teams.getTeam(teamId)).settings;
      const defined = Object.fromEntries(Object.entries(change).filter(([, v]) => v !== undefined)) as SettingsChange;
      const settings: FullTeamSettings = { ...before, ...defined };
      if (settings.idleDisableDays && settings.idleWarningDays >= settings.idleDisableDays) {
        throw badRequest('idleWarningDays: the warning must come before the key is disabled (fewer days than idleDisableDays).');
      }
      const changes = Object.fromEntries(
        (Object.keys(defined) as (keyof SettingsChange)[])
          .filter((k) => JSON.stringify(before[k]) !== JSON.stringify(settings[k]))
          .map((k) => [k, { from: before[k], to: settings[k] }]),
      );
      if (Object.keys(changes).length > 0) await repos.teams.updateSettings(teamId, settings);
      // Warning thresholds decide every member's "expiring soon". Bumped whenever given (a retry after a
      // failure below still bumps), and a failed bump only delays badges, so it never fails the call.
      if (defined.expiryWarningDays !== undefined) await bumpAlerts(repos.revisions, deps.log);
      if (Object.keys(changes).length > 0) {
        await audit.record({ teamId, action: 'settings.updated', actor, targetIds: [teamId], details: { changes } });
      }
      let policy: { changed: number; expireNow: number } | null = null;
      // Applied whenever a cap is given, even an unchanged one: it is idempotent and a retry completes an interrupted run.
      if (typeof defined.maxLifetimeDays === 'number') {
        const { changed } = await actions.run({ teamId, kind: 'policy', actor, maxLifetimeDays: defined.maxLifetimeDays });
        policy = { changed: changed.length, expireNow: changed.filter((k) => k.status === 'revoked' && k.revokedReason === 'policy').length };
      }
      return { settings, policy };
    },

    /** Computed with the very rule the apply step uses, over the same keys. */
    async previewExpiryPolicy(teamId: string, maxLifetimeDays: number | null): Promise<PolicyPreview> {
      await teams.getTeam(teamId);
      if (maxLifetimeDays === null) return { changed: 0, expireNow: 0, byOwner: [] };
      const now = deps.now();
      const perOwner = new Map<string, { changed: number; expireNow: number }>();
      for (const key of await repos.keys.listLive(teamId, now)) {
        const effect = policyEffect(key, maxLifetimeDays, now);
        if (effect === 'unchanged') continue;
        const tally = perOwner.get(key.ownerId) ?? { changed: 0, expireNow: 0 };
        tally.changed++;
        if (effect === 'expireNow') tally.expireNow++;
        perOwner.set(key.ownerId, tally);
      }
      const emails = new Map((await repos.users.findMany([...perOwner.keys()])).map((u) => [u.id, u.email]));
      const byOwner = [...perOwner.entries()]
        .map(([userId, t]) => ({ userId, email: emails.get(userId) ?? '', ...t }))
        .sort((a, b) => b.changed - a.changed || a.email.localeCompare(b.email));
      return {
        changed: byOwner.reduce((n, o) => n + o.changed, 0),
        expireNow: byOwner.reduce((n, o) => n + o.expireNow, 0),
        byOwner,
      };
    },
  };
}
export type SettingsService = ReturnType<typeof settingsService>;
