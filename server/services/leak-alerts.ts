import { isAdminRole } from '../../shared/schemas/common';
import type { LeakEntry, LeakSource } from '../../shared/schemas/leak';
import type { NotificationKind } from '../../shared/schemas/notification';
import type { CanarySource } from '../db/canary-alarms.repo';
import type { StoredKey } from '../db/keys.repo';
import type { StoredToken } from '../db/tokens.repo';
import type { TeamsRepo } from '../db/teams.repo';
import type { UsersRepo } from '../db/users.repo';
import type { Deps } from '../deps';
import { canaryNoticeMail, canaryNoticeSummary, leakNoticeMail, leakNoticeSummary, tokenLeakNoticeMail, tokenLeakNoticeSummary } from '../mail/templates/leak-notice';
import type { NoticeDelivery, PublishNotices } from './notice-publisher';
import { noticeId } from './notify.service';

/**
 * The leak alarms, each an in-app notice and an email per recipient:
 * `key_leaked` to the key's owner and every admin of its team, `token_leaked`
 * to a team API token's creator and every admin of its team, and
 * `canary_triggered` to every admin. The notice lists the key among its
 * `revokedKeyIds`, which is what turns the extension's badge red and raises
 * its desktop notification. Ids derive from the cause (the key, or the canary
 * and the hour it was used in), so a retry writes nothing twice.
 */
export function leakAlerts(
  deps: Deps,
  repos: { users: UsersRepo; teams: TeamsRepo },
  publishNotices: PublishNotices,
) {
  async function recipients(teamId: string, ownerId: string | null): Promise<string[]> {
    const admins = (await repos.teams.listMembershipsOfTeam(teamId)).filter((m) => isAdminRole(m.role)).map((m) => m.userId);
    return [...new Set([...(ownerId ? [ownerId] : []), ...admins])];
  }

  async function send(
    notice: { source: string; teamId: string; teamName: string; kind: NotificationKind; key: Pick<StoredKey, 'id' | 'name' | 'hint' | 'expiresAt'>; reason: string; at: Date },
    userIds: string[],
    render: (userId: string) => { message: string; mail: { subject: string; text: string; html: string } },
  ): Promise<void> {
    const users = new Map((await repos.users.findMany(userIds)).map((u) => [u.id, u]));
    const deliveries = userIds.map((userId): NoticeDelivery => {
      const { message, mail } = render(userId);
      const user = users.get(userId);
      const record = {
        id: noticeId(`${notice.source}:${userId}`),
        userId,
        teamId: notice.teamId,
        teamName: notice.teamName,
        kind: notice.kind,
        keys: [{ id: notice.key.id, name: notice.key.name, hint: notice.key.hint, expiresAt: notice.key.expiresAt }],
        revokedKeyIds: [notice.key.id],
        actor: null,
        reason: notice.reason,
        thresholdDays: null,
        message,
        createdAt: notice.at,
        readAt: null,
      };
      return { notice: record, mail: user ? { to: user.email, ...mail } : null };
    });
    await publishNotices(deliveries);
  }

  return {
    async keyLeaked(key: StoredKey, leak: { source: LeakSource; url: string | null; action: LeakEntry['action']; at: Date }): Promise<void> {
      const [team, owner] = await Promise.all([repos.teams.findTeam(key.teamId), repos.users.findById(key.ownerId)]);
      const teamName = team?.name ?? 'your team';
      const base = { teamName, key, ownerEmail: owner?.email ?? null, ...leak, publicUrl: deps.config.publicUrl };
      await send(
        { source: `leak:${key.id}`, teamId: key.teamId, teamName, kind: 'key_leaked', key, reason: 'leaked', at: leak.at },
        await recipients(key.teamId, key.ownerId),
        (userId) => {
          const p = { ...base, toOwner: userId === key.ownerId };
          return { message: leakNoticeSummary(p), mail: leakNoticeMail(p) };
        },
      );
    },

    /** A team API token revoked as leaked: listed (id, name, hint; never its value) as the notice's revoked "key". */
    async tokenLeaked(token: StoredToken, leak: { source: LeakSource; url: string | null; at: Date }): Promise<void> {
      const [team, creator] = await Promise.all([repos.teams.findTeam(token.teamId), repos.users.findById(token.createdBy)]);
      const teamName = team?.name ?? 'your team';
      const listed = { id: token.id, name: token.name, hint: token.hint, expiresAt: token.expiresAt };
      const base = { teamName, token: listed, creatorEmail: creator?.email ?? null, ...leak, publicUrl: deps.config.publicUrl };
      await send(
        { source: `token-leak:${token.id}`, teamId: token.teamId, teamName, kind: 'token_leaked', key: listed, reason: 'leaked', at: leak.at },
        await recipients(token.teamId, token.createdBy),
        (userId) => {
          const p = { ...base, toCreator: userId === token.createdBy };
          return { message: tokenLeakNoticeSummary(p), mail: tokenLeakNoticeMail(p) };
        },
      );
    },

    /** The hour's alarm of a canary (`bucket`), listing the sources its record holds when it is sent. */
    async canaryTriggered(key: StoredKey, alarm: { sources: CanarySource[]; more: number; at: Date; bucket: string }): Promise<void> {
      const team = await repos.teams.findTeam(key.teamId);
      const teamName = team?.name ?? 'your team';
      const p = { teamName, key, sources: alarm.sources, more: alarm.more, at: alarm.at, publicUrl: deps.config.publicUrl };
      await send(
        { source: `canary:${key.id}:${alarm.bucket}`, teamId: key.teamId, teamName, kind: 'canary_triggered', key, reason: 'canary', at: alarm.at },
        await recipients(key.teamId, null),
        () => ({ message: canaryNoticeSummary(p), mail: canaryNoticeMail(p) }),
      );
    },
  };
}
export type LeakAlerts = ReturnType<typeof leakAlerts>;
