import { isAdminRole } from '../../shared/schemas/common';
import type { KeysRepo } from '../db/keys.repo';
import type { CreditsAfterSpend, LimitsRepo } from '../db/limits.repo';
import type { TeamsRepo } from '../db/teams.repo';
import type { UsersRepo } from '../db/users.repo';
import type { Deps } from '../deps';
import { limitNoticeLine, limitNoticeMail, type LimitNoticeKind } from '../mail/templates/limit-notice';
import type { NoticeDelivery, PublishNotices } from './notice-publisher';
import { noticeId } from './notify.service';
import type { LimitsEvents } from './limits.service';
import type { WebhookEventBody, SubscribableEvent } from './webhook-events';

/**
 * Issue 25's alerts, to the key's owner and the team's admins:
 * - `key_credits_low` (in-app, email, amber badge; webhook `key.credits_low`) when a spend takes the
 *   balance to 10% of its last refill or top-up, and `key_credits_exhausted` (webhook
 *   `key.credits_exhausted`) when it reaches 0. Once per crossing: the spend that crosses claims a
 *   flag on the key with a conditional write (limits.repo `claimCreditsAlert`); only its winner
 *   publishes, and setting the balance again (refill, top-up) clears the flags.
 * - `key_rate_limited` (in-app; webhook `key.rate_limited`): at most one per key and UTC day. The
 *   notice and event ids are derived from key and day, and publishing is insert-once on them, so
 *   any number of instances write one; a memo spares the database all but the first refusal.
 * Alerts are sent off verify's path; a failure is logged and never fails a verification.
 */
const LOW_SHARE = 0.1;
const WEBHOOK: Record<LimitNoticeKind, SubscribableEvent> = {
  key_credits_low: 'key.credits_low',
  key_credits_exhausted: 'key.credits_exhausted',
  key_rate_limited: 'key.rate_limited',
};

export function limitAlerts(
  deps: Deps,
  repos: { limits: LimitsRepo; keys: KeysRepo; teams: TeamsRepo; users: UsersRepo },
  publishNotices: PublishNotices,
  webhooks: { emit(teamId: string, event: WebhookEventBody & { type: SubscribableEvent }): Promise<void> },
) {
  /** keyId -> the UTC day this instance already reported a rate limit for. */
  const rateLimitedOn = new Map<string, string>();

  async function publish(kind: LimitNoticeKind, teamId: string, keyId: string, source: string, at: Date, facts: { remaining: number; base: number; limits: string[] }) {
    const [key, team, memberships] = await Promise.all([repos.keys.findByPublicId(teamId, keyId), repos.teams.findTeam(teamId), repos.teams.listMembershipsOfTeam(teamId)]);
    if (!key || !team) return;
    const readers = [...new Set([key.ownerId, ...memberships.filter((m) => isAdminRole(m.role)).map((m) => m.userId)])];
    const users = await repos.users.findMany(readers);
    const params = { kind, teamName: team.name, keyName: key.name, hint: key.hint, ...facts, publicUrl: deps.config.publicUrl };
    const message = limitNoticeLine(params);
    const mail = kind === 'key_rate_limited' ? null : limitNoticeMail(params);
    const deliveries = users.map((u): NoticeDelivery => ({
      notice: {
        id: noticeId(`${source}:${u.id}`),
        userId: u.id,
        teamId,
        teamName: team.name,
        kind,
        keys: [{ id: key.id, name: key.name, hint: key.hint, expiresAt: key.expiresAt }],
        revokedKeyIds: [],
        actor: null,
        reason: null,
        thresholdDays: null,
        message,
        createdAt: at,
        readAt: null,
      },
      mail: mail && { to: u.email, ...mail },
    }));
    await publishNotices(deliveries);
    await webhooks.emit(teamId, {
      id: `evt_${noticeId(source).slice(4)}`,
      type: WEBHOOK[kind],
      timestamp: at.toISOString(),
      data: {
        teamId,
        actor: null,
        reason: null,
        keys: [{ id: key.id, name: key.name, hint: key.hint, ownerId: key.ownerId }],
        keyCount: 1,
        ...(kind === 'key_rate_limited' ? { limits: facts.limits } : { credits: { remaining: facts.remaining, base: facts.base } }),
      },
    });
  }

  const logged = (what: string) => (err: unknown) => deps.log.error(`sending the ${what} alert failed`, err);

  const events: LimitsEvents = {
    creditsSpent(after: CreditsAfterSpend, hash: string) {
      const { remaining, base, lowAlerted, exhaustedAlerted } = after.credits;
      const kind: LimitNoticeKind | null = remaining === 0 && !exhaustedAlerted ? 'key_credits_exhausted' : remaining > 0 && remaining <= base * LOW_SHARE && !lowAlerted ? 'key_credits_low' : null;
      if (!kind) return;
      const at = deps.now();
      void repos.limits
        .claimCreditsAlert(hash, kind === 'key_credits_low' ? 'lowAlerted' : 'exhaustedAlerted')
        .then((won) => (won ? publish(kind, after.teamId, after.keyId, `${kind}:${after.keyId}:${at.getTime()}`, at, { remaining, base, limits: [] }) : undefined))
        .catch(logged(kind));
    },

    rateLimited(key, at, limits) {
      const day = at.toISOString().slice(0, 10);
      if (rateLimitedOn.get(key.id) === day) return;
      rateLimitedOn.set(key.id, day);
      if (rateLimitedOn.size > 100_000) rateLimitedOn.delete(rateLimitedOn.keys().next().value!);
      void publish('key_rate_limited', key.teamId, key.id, `key_rate_limited:${key.id}:${day}`, at, { remaining: 0, base: 0, limits }).catch((err) => {
        rateLimitedOn.delete(key.id);
        logged('rate limited')(err);
      });
    },
  };
  return events;
}
