import { pick, plural } from '../../shared/plural';
import { isAdminRole } from '../../shared/schemas/common';
import type { KeysRepo, StoredKey } from '../db/keys.repo';
import type { TeamsRepo } from '../db/teams.repo';
import type { UsageRepo } from '../db/usage.repo';
import type { Deps } from '../deps';
import { formatWhen } from '../mail/templates/key-notice-params';
import type { NoticeDelivery, PublishNotices } from './notice-publisher';
import { effectiveStatus } from '../db/effective-status';
import { noticeId } from './notify.service';
import { DAY_MS } from '../../shared/time';
import { floorDay, floorHour, latestOnly } from './usage-buckets';

/**
 * "A key that no longer works is still being tried": at most once per UTC day
 * per team, each admin gets one in-app notice (`key_used_after_revoke`) listing
 * every revoked, expired or disabled key that failed verification since the
 * team's previous such notice (or in the last 24 hours). The notice ids are
 * derived from team, day and admin, and the day's mark is written last, so a
 * crashed or repeated pass never sends a second notice for the same day.
 * Counts are per hour: the mark keeps what the notice reported in its own
 * hour, so the next notice counts only the tries after it.
 */
const SHOWN_IN_MESSAGE = 3;

const dayOf = (t: number) => new Date(floorDay(t)).toISOString().slice(0, 10);
/** The team's notice of one UTC day, as the usage repo marks it. */
const markId = (teamId: string, t: number) => ({ teamId, day: dayOf(t) });

type Tried = { key: StoredKey; tries: number };

function message(tried: Tried[], since: Date, now: Date): string {
  const total = tried.reduce((n, t) => n + t.tries, 0);
  const shown = tried.slice(0, SHOWN_IN_MESSAGE).map(({ key, tries }) => {
    const status = effectiveStatus(key, now);
    const what = status.revokedReason === 'expired' ? 'expired' : status.status;
    return `"${key.name}" (${what}, ${plural(tries, 'try', 'tries')})`;
  });
  const more = tried.length > SHOWN_IN_MESSAGE ? ` and ${tried.length - SHOWN_IN_MESSAGE} more` : '';
  const keys = tried.length === 1 ? 'A key that no longer works was' : `${tried.length} keys that no longer work were`;
  return `${keys} tried ${plural(total, 'time')} since ${formatWhen(since)}: ${shown.join(', ')}${more}. Whoever still uses ${pick(tried.length, 'it', 'them')} needs a new key, or it may have leaked.`;
}

export function usedAfterRevokeNotices(
  deps: Deps,
  repos: { usage: UsageRepo; keys: KeysRepo; teams: TeamsRepo },
  publishNotices: PublishNotices,
) {
  /** One team's notices for today, unless they were sent already; returns how many admins were notified. */
  async function notifyTeam(teamId: string, failures: { keyId: string; hour: number; tries: number }[], now: Date): Promise<number> {
    const t = now.getTime();
    const today = markId(teamId, t);
    if (await repos.usage.noticeSent(today)) return 0;
    const previous = await repos.usage.noticeSent(markId(teamId, t - DAY_MS));
    const since = previous?.at ?? new Date(t - DAY_MS);
    const sinceHour = floorHour(since.getTime());
    const tries = new Map<string, number>();
    for (const f of failures) if (f.hour >= sinceHour) tries.set(f.keyId, (tries.get(f.keyId) ?? 0) + f.tries);
    for (const s of previous?.seen ?? []) tries.set(s.keyId, (tries.get(s.keyId) ?? 0) - s.tries);
    for (const [keyId, n] of tries) if (n <= 0) tries.delete(keyId);
    if (tries.size === 0) return 0;
    // What this notice reports in its own hour: the next one starts counting from there.
    const thisHour = floorHour(t);
    const seen = new Map<string, number>();
    for (const f of failures) if (f.hour === thisHour) seen.set(f.keyId, (seen.get(f.keyId) ?? 0) + f.tries);
    const [keys, team, memberships] = await Promise.all([
      repos.keys.findManyByPublicIds(teamId, [...tries.keys()]),
      repos.teams.findTeam(teamId),
      repos.teams.listMembershipsOfTeam(teamId),
    ]);
    const tried = keys
      .map((key) => ({ key, tries: tries.get(key.id) ?? 0 }))
      .sort((a, b) => b.tries - a.tries || a.key.name.localeCompare(b.key.name) || a.key.id.localeCompare(b.key.id));
    if (!team || tried.length === 0) return 0;
    const admins = memberships.filter((m) => isAdminRole(m.role));
    const text = message(tried, since, now);
    const deliveries = admins.map((admin): NoticeDelivery => ({
      // In-app only: admins read it in the popup, where the keys' refused tries can be opened.
      mail: null,
      notice: {
        id: noticeId(`used-after-revoke:${teamId}:${today.day}:${admin.userId}`),
        userId: admin.userId,
        teamId,
        teamName: team.name,
        kind: 'key_used_after_revoke',
        keys: tried.map(({ key }) => ({ id: key.id, name: key.name, hint: key.hint, expiresAt: key.expiresAt })),
        // Not the admins' own keys: their badge's red count stays theirs.
        revokedKeyIds: [],
        actor: null,
        reason: null,
        thresholdDays: null,
        message: text,
        createdAt: now,
        readAt: null,
      },
    }));
    await publishNotices(deliveries);
    await repos.usage.markNoticeSent(today, now, [...seen].map(([keyId, n]) => ({ keyId, tries: n })));
    return admins.length;
  }

  return {
    /** The background pass; safe to repeat and to run on several instances. Returns how many notices it wrote (or found written). */
    async run(): Promise<number> {
      const now = deps.now();
      // Two days back covers any team's window: one since its previous notice, or the last 24 hours.
      const docs = latestOnly(await repos.usage.failuresSince(new Date(floorHour(now.getTime() - 2 * DAY_MS))));
      const byTeam = new Map<string, { keyId: string; hour: number; tries: number }[]>();
      for (const d of docs) {
        const tries = d.revoked + d.disabled + d.expired;
        if (!d.keyId || tries === 0) continue;
        let team = byTeam.get(d.teamId);
        if (!team) byTeam.set(d.teamId, (team = []));
        team.push({ keyId: d.keyId, hour: d.hour.getTime(), tries });
      }
      let notified = 0;
      for (const [teamId, failures] of byTeam) notified += await notifyTeam(teamId, failures, now);
      return notified;
    },
  };
}
export type UsedAfterRevokeNotices = ReturnType<typeof usedAfterRevokeNotices>;
