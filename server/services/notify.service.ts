import type { NotificationKind } from '../../shared/schemas/notification';
import type { StoredKey } from '../db/keys.repo';
import type { TeamsRepo } from '../db/teams.repo';
import type { UsersRepo } from '../db/users.repo';
import type { Deps } from '../deps';
import { sha256 } from '../lib/ids';
import { keyNoticeHeadline } from '../mail/templates/in-app-notice';
import { keyNoticeMail } from '../mail/templates/key-notice';
import type { KeyNoticeParams } from '../mail/templates/key-notice-params';
import type { KeyChangeEvent, KeyEvents, PolicyAppliedEvent } from './key-events';
import type { NoticeDelivery, PublishNotices } from './notice-publisher';

/**
 * Turns key events into one in-app notice and one email per affected owner.
 *
 * Ids are derived from the cause (action + owner, batch + owner + threshold),
 * and publishing is idempotent on them (notice-publisher.ts), so a retried
 * action or a resumed batch re-writes the same notice and the same outbox
 * message, never a second.
 *
 * An owner who is also the actor (say, revoking their own leaked key) still
 * gets the email — it is the security record of what happened — but their
 * in-app notice is stored as already read, so their badge does not go red
 * over something they just did themselves.
 */
export type NoticeKey = Pick<StoredKey, 'id' | 'name' | 'hint' | 'expiresAt'>;

export interface NoticeRequest {
  source: string;
  teamId: string;
  ownerId: string;
  kind: NotificationKind;
  keys: NoticeKey[];
  revokedKeyIds: string[];
  actor: { userId: string | null; email: string | null } | null;
  reason: string | null;
  thresholdDays: number | null;
  maxLifetimeDays?: number | null;
  at: Date;
}

/** Public-id shaped (`ntf_` + hex), so notices can be named in markRead({ ids }). */
export const noticeId = (source: string) => `ntf_${sha256(source).slice(0, 32)}`;

const EVENT_KIND: Record<KeyChangeEvent['kind'], NotificationKind> = { revoked: 'key_revoked', disabled: 'key_disabled', expired: 'key_expired' };

function byOwner<K extends { ownerId: string }>(keys: K[]): Map<string, K[]> {
  const groups = new Map<string, K[]>();
  for (const k of keys) groups.set(k.ownerId, [...(groups.get(k.ownerId) ?? []), k]);
  return groups;
}

const byName = (a: NoticeKey, b: NoticeKey) => a.name.localeCompare(b.name) || a.id.localeCompare(b.id);

export function notifyService(deps: Deps, repos: { users: UsersRepo; teams: TeamsRepo }, publishNotices: PublishNotices) {
  /** Words each owner's notice and email; owners are looked up in one batch. */
  async function publish(requests: NoticeRequest[]): Promise<void> {
    if (requests.length === 0) return;
    const [users, teams] = await Promise.all([
      repos.users.findMany(requests.map((r) => r.ownerId)),
      repos.teams.findTeams([...new Set(requests.map((r) => r.teamId))]),
    ]);
    const userById = new Map(users.map((u) => [u.id, u]));
    const teamName = new Map(teams.map((t) => [t.id, t.name]));
    const deliveries = requests.map((r): NoticeDelivery => {
      const keys = [...r.keys].sort(byName);
      const revoked = new Set(r.revokedKeyIds);
      const actorIsOwner = r.actor?.userId === r.ownerId;
      const params: KeyNoticeParams = {
        kind: r.kind,
        teamName: teamName.get(r.teamId) ?? 'your team',
        keys: keys.map((k) => ({ name: k.name, hint: k.hint, expiresAt: k.expiresAt, revoked: revoked.has(k.id) })),
        actorEmail: r.actor?.email ?? null,
        actorIsOwner,
        reason: r.reason,
        at: r.at,
        thresholdDays: r.thresholdDays,
        maxLifetimeDays: r.maxLifetimeDays,
        publicUrl: deps.config.publicUrl,
      };
      const owner = userById.get(r.ownerId);
      return {
        notice: {
          id: noticeId(r.source),
          userId: r.ownerId,
          teamId: r.teamId,
          teamName: params.teamName,
          kind: r.kind,
          keys: keys.map((k) => ({ id: k.id, name: k.name, hint: k.hint, expiresAt: k.expiresAt })),
          revokedKeyIds: r.revokedKeyIds,
          actor: r.actor,
          reason: r.reason,
          thresholdDays: r.thresholdDays,
          message: keyNoticeHeadline(params),
          createdAt: r.at,
          readAt: actorIsOwner ? r.at : null,
        },
        mail: owner ? { to: owner.email, ...keyNoticeMail(params) } : null,
      };
    });
    await publishNotices(deliveries);
  }

  const keyEvents: KeyEvents = {
    async keysChanged(event: KeyChangeEvent) {
      // A leak's owner and admins get one `key_leaked` notice saying where it was found (leak-alerts.ts), not a second one here.
      if (event.reason === 'leaked') return;
      // A rotation's owner was told when it was rotated (and in its last hour, if still used): its planned end is no alarm.
      if (event.reason === 'rotated') return;
      const kind = event.kind === 'disabled' && event.reason === 'idle' ? 'key_idle_disabled' : EVENT_KIND[event.kind];
      const dead = kind === 'key_revoked' || kind === 'key_expired';
      const requests = [...byOwner(event.keys)].map(([ownerId, keys]): NoticeRequest => ({
        source: `action:${event.actionId}:${ownerId}`,
        teamId: event.teamId,
        ownerId,
        kind,
        keys,
        revokedKeyIds: dead ? keys.map((k) => k.id) : [],
        actor: { userId: event.actor.userId, email: event.actor.email },
        reason: event.reason,
        thresholdDays: null,
        at: event.at,
      }));
      await publish(requests);
    },

    async policyApplied(event: PolicyAppliedEvent) {
      const all = new Map<string, StoredKey>();
      for (const k of [...event.changed, ...event.expiredNow]) all.set(k.id, k);
      const expiredNow = new Set(event.expiredNow.map((k) => k.id));
      const requests = [...byOwner([...all.values()])].map(([ownerId, keys]): NoticeRequest => ({
        source: `policy:${event.actionId}:${ownerId}`,
        teamId: event.teamId,
        ownerId,
        kind: 'policy_changed',
        keys,
        revokedKeyIds: keys.filter((k) => expiredNow.has(k.id)).map((k) => k.id),
        actor: { userId: event.actor.userId, email: event.actor.email },
        reason: 'policy',
        thresholdDays: null,
        maxLifetimeDays: event.maxLifetimeDays,
        at: event.at,
      }));
      await publish(requests);
    },
  };

  return { ...keyEvents, publish };
}
export type NotifyService = ReturnType<typeof notifyService>;
