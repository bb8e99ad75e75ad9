import type { IdlePreview } from '../../shared/schemas/lifecycle';
import type { IdleCandidate, IdleKeysRepo } from '../db/idle-keys.repo';
import type { MarksRepo } from '../db/marks.repo';
import type { TeamsRepo } from '../db/teams.repo';
import type { UsersRepo } from '../db/users.repo';
import type { Deps } from '../deps';
import { notFound } from '../errors';
import { sha256 } from '../lib/ids';
import { DAY_MS } from '../../shared/time';
import { idleSince } from '../../shared/idle';
import { systemActor } from './actor';
import type { KeyActionsService } from './key-actions.service';
import type { NoticeRequest, NotifyService } from './notify.service';

/** Per action: the engine's own limit on named keys. */
const DISABLE_CHUNK = 1000;

export interface IdlePolicy {
  idleDisableDays: number;
  idleWarningDays: number;
}

/**
 * The one rule both the preview and the pass apply: `disable` once the key has
 * been idle (shared/idle.ts) `idleDisableDays`, `warn` in the `idleWarningDays` before that.
 * One verified use during the warning moves `idleSince`, which cancels it.
 */
export function idleEffect(k: Pick<IdleCandidate, 'createdAt' | 'lastUsedAt' | 'enabledAt'>, policy: IdlePolicy, now: Date): { effect: 'disable' | 'warn' | null; daysLeft: number } {
  const disableAt = idleSince(k).getTime() + policy.idleDisableDays * DAY_MS;
  const left = disableAt - now.getTime();
  const daysLeft = Math.max(0, Math.ceil(left / DAY_MS));
  if (left <= 0) return { effect: 'disable', daysLeft };
  if (left <= policy.idleWarningDays * DAY_MS) return { effect: 'warn', daysLeft };
  return { effect: null, daysLeft };
}

/**
 * The idle-key policy (GitHub retires tokens unused for a year): the preview
 * an admin sees before saving, and the background pass that warns owners and
 * then disables (reason `idle`, reversible) through the action engine.
 */
export function idleKeysService(
  deps: Deps,
  repos: { idleKeys: IdleKeysRepo; teams: TeamsRepo; users: UsersRepo; marks: MarksRepo },
  actions: KeyActionsService,
  notify: Pick<NotifyService, 'publish'>,
) {
  /** Which keys of a team the policy disables now and which it warns, by the shared rule. */
  async function plan(teamId: string, policy: IdlePolicy, now: Date) {
    const disable: IdleCandidate[] = [];
    const warn: (IdleCandidate & { daysLeft: number; markId: string })[] = [];
    for (const k of await repos.idleKeys.candidates(teamId, now)) {
      const { effect, daysLeft } = idleEffect(k, policy, now);
      if (effect === 'disable') disable.push(k);
      // One warning per idle stretch: a key used (or enabled) since gets a new mark.
      else if (effect === 'warn') warn.push({ ...k, daysLeft, markId: `idle-warn:${k.id}:${idleSince(k).getTime()}` });
    }
    return { disable, warn };
  }

  async function runTeam(teamId: string, policy: IdlePolicy, now: Date): Promise<{ disabled: number; warned: number }> {
    const { disable, warn } = await plan(teamId, policy, now);
    let disabled = 0;
    for (let i = 0; i < disable.length; i += DISABLE_CHUNK) {
      const ids = disable.slice(i, i + DISABLE_CHUNK).map((k) => k.id);
      disabled += (await actions.run({ teamId, kind: 'disable', reason: 'idle', actor: systemActor, keyIds: ids })).changed.length;
    }
    const done = await repos.marks.existing(warn.map((k) => k.markId));
    const due = warn.filter((k) => !done.has(k.markId));
    const byOwner = new Map<string, typeof due>();
    for (const k of due) byOwner.set(k.ownerId, [...(byOwner.get(k.ownerId) ?? []), k]);
    const requests = [...byOwner].map(([ownerId, keys]): NoticeRequest => ({
      // Derived from the marks it covers: two passes that see the same keys write the same notice.
      source: `idle-warn:${teamId}:${ownerId}:${sha256(keys.map((k) => k.markId).sort().join(',')).slice(0, 16)}`,
      teamId,
      ownerId,
      kind: 'key_idle_warning',
      keys: keys.map((k) => ({ id: k.id, name: k.name, hint: k.hint, expiresAt: k.expiresAt })),
      revokedKeyIds: [],
      actor: null,
      reason: 'idle',
      thresholdDays: Math.min(...keys.map((k) => k.daysLeft)),
      at: now,
    }));
    // Notices first, marks after: a crash in between repeats the same notice ids, never loses one.
    await notify.publish(requests);
    if (due.length > 0) await repos.marks.claim(due.map((k) => k.markId), `idle-${now.getTime()}`, now);
    return { disabled, warned: due.length };
  }

  return {
    async preview(teamId: string, idleDisableDays: number | null, idleWarningDays?: number): Promise<IdlePreview> {
      const team = await repos.teams.findTeam(teamId);
      if (!team) throw notFound('Team not found.');
      if (idleDisableDays === null) return { disableNow: 0, warn: 0, byOwner: [] };
      const policy = { idleDisableDays, idleWarningDays: idleWarningDays ?? team.settings.idleWarningDays };
      const { disable, warn } = await plan(teamId, policy, deps.now());
      const perOwner = new Map<string, { disableNow: number; warn: number }>();
      const tally = (ownerId: string) => perOwner.get(ownerId) ?? perOwner.set(ownerId, { disableNow: 0, warn: 0 }).get(ownerId)!;
      for (const k of disable) tally(k.ownerId).disableNow++;
      for (const k of warn) tally(k.ownerId).warn++;
      const emails = new Map((await repos.users.findMany([...perOwner.keys()])).map((u) => [u.id, u.email]));
      const byOwner = [...perOwner]
        .map(([userId, t]) => ({ userId, email: emails.get(userId) ?? '', ...t }))
        .sort((a, b) => b.disableNow - a.disableNow || b.warn - a.warn || a.email.localeCompare(b.email));
      return { disableNow: disable.length, warn: warn.length, byOwner };
    },

    /** One pass over every team with the policy on. */
    async run(): Promise<{ disabled: number; warned: number }> {
      const total = { disabled: 0, warned: 0 };
      for (const t of await repos.idleKeys.teamsWithPolicy()) {
        const policy = { idleDisableDays: t.idleDisableDays, idleWarningDays: t.idleWarningDays };
        try {
          const r = await runTeam(t.teamId, policy, deps.now());
          total.disabled += r.disabled;
          total.warned += r.warned;
        } catch (err) {
          // One team's failure must not starve the others; the next pass retries it.
          deps.log.error(`idle-key pass for team ${t.teamId} failed`, err);
        }
      }
      return total;
    },
  };
}
export type IdleKeysService = ReturnType<typeof idleKeysService>;
