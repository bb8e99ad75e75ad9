import { generateKey } from '../../shared/key-format';
import { isAdminRole, type Role } from '../../shared/schemas/common';
import type { KeyRow } from '../../shared/schemas/key';
import { GRACE_ENDING } from '../../shared/schemas/lifecycle';
import type { KeysRepo } from '../db/keys.repo';
import type { LimitsRepo } from '../db/limits.repo';
import { keyPolicyOf } from '../../shared/key-policy';
import type { MarksRepo } from '../db/marks.repo';
import type { Rotation, RotationsRepo } from '../db/rotations.repo';
import type { TeamsRepo } from '../db/teams.repo';
import type { UsageRepo } from '../db/usage.repo';
import type { Deps } from '../deps';
import { afterWrite, badRequest, forbidden, notFound } from '../errors';
import { hashKey } from '../lib/ids';
import { HOUR_MS } from '../../shared/time';
import { newStoredKey } from '../lib/stored-key';
import { systemActor, type Actor } from './actor';
import type { AuditService } from './audit.service';
import type { KeyActionsService } from './key-actions.service';
import { effectiveStatus } from '../db/effective-status';
import { replacementExpiry } from './expiry-policy';
import type { KeysService } from './keys.service';
import type { NoticeRequest, NotifyService } from './notify.service';

/** The owner is warned when the previous key is still used this close to its grace end. */
const LAST_HOUR_MS = HOUR_MS;
const PASS_LIMIT = 200;

/**
 * Rotation with a grace period (Stripe's "roll key", Unkey's reroll): a new
 * key with the same name and owner replaces a working key, and the previous
 * key keeps working until `graceEndsAt`. Verify stops accepting it at that
 * instant (read from the rotation record, like an expiry); the grace-end pass
 * then revokes it through the action engine with reason `rotated`, the same
 * revoke path as any other, so a racing revocation keeps its first word.
 */
export function rotationService(
  deps: Deps,
  repos: { keys: KeysRepo; teams: TeamsRepo; rotations: RotationsRepo; usage: UsageRepo; marks: MarksRepo; limits: Pick<LimitsRepo, 'takeCredits' | 'setKeyLimits'> },
  keys: Pick<KeysService, 'rows'>,
  actions: KeyActionsService,
  audit: AuditService,
  notify: Pick<NotifyService, 'publish'>,
  /** Drops cached key states (verify): the previous key must answer with its rotation at once. */
  onStateChange: () => Promise<void>,
) {
  const revokePrevious = (r: Pick<Rotation, 'teamId' | 'keyId'>, actor: Actor) =>
    actions.run({ teamId: r.teamId, kind: 'revoke', reason: 'rotated', actor, keyIds: [r.keyId] });

  const rotationNotice = (r: Rotation, actor: Actor | null, name: string, hint: string, reason: string | null, source: string, at: Date): NoticeRequest => ({
    source,
    teamId: r.teamId,
    ownerId: r.ownerId,
    kind: 'key_rotated',
    // The listed key is the previous one; its `expiresAt` here is when its grace ends.
    keys: [{ id: r.keyId, name, hint, expiresAt: r.graceEndsAt }],
    revokedKeyIds: [],
    actor: actor ? { userId: actor.userId, email: actor.email } : null,
    reason,
    thresholdDays: null,
    at,
  });

  /**
   * A replacement whose predecessor still works in its grace cannot be rotated: otherwise a chain
   * of rotations would hold ever more working keys (and sidestep admin-only generation).
   */
  async function refuseWhilePredecessorWorks(key: { teamId: string; replaces?: string | null }, now: Date): Promise<void> {
    if (!key.replaces) return;
    const predecessor = await repos.keys.findByPublicId(key.teamId, key.replaces);
    const graceEndsAt = predecessor?.rotation?.graceEndsAt;
    if (!predecessor || !graceEndsAt || graceEndsAt <= now || effectiveStatus(predecessor, now).status === 'revoked') return;
    throw badRequest(
      `This key replaced ${predecessor.id}, which keeps working until ${graceEndsAt.toISOString()}: rotate this key after that, or revoke ${predecessor.id} first.`,
    );
  }

  return {
    async rotate(actor: Actor & { role: Role }, input: { teamId: string; keyId: string; graceHours: number }): Promise<{ key: string; row: KeyRow; previous: KeyRow }> {
      const previous = await repos.keys.findByPublicId(input.teamId, input.keyId);
      if (!previous) throw notFound('Key not found.');
      if (!isAdminRole(actor.role) && previous.ownerId !== actor.userId) throw forbidden("Only the key's owner or a team admin can rotate it.");
      const now = deps.now();
      const effective = effectiveStatus(previous, now);
      if (effective.status !== 'enabled') {
        const state = effective.revokedReason === 'expired' ? 'expired' : effective.status;
        throw badRequest(`This key is ${state}: only a working key can be rotated. Generate a new key instead.`);
      }
      if (previous.canary) throw badRequest('A canary key cannot be rotated.');
      const ref = await repos.rotations.refOf(input.teamId, input.keyId);
      const earlier = ref ? await repos.rotations.findByRef(ref) : null;
      if (!ref || earlier) throw badRequest(`This key was already rotated${earlier ? ` (replaced by ${earlier.replacedBy})` : ''}: rotate its replacement instead.`);
      await refuseWhilePredecessorWorks(previous, now);

      const team = await repos.teams.findTeam(input.teamId);
      const value = generateKey();
      // The replacement is the same key to its holder's service: the same policy, limits and credits (a member
      // rotating their own key must not shed what an admin set on it).
      const stored = {
        ...newStoredKey(value, {
          teamId: input.teamId,
          ownerId: previous.ownerId,
          name: previous.name,
          createdAt: now,
          expiresAt: replacementExpiry(previous, now, team?.settings.maxLifetimeDays ?? null),
        }),
        ...keyPolicyOf(previous),
        ...(previous.ratelimits ? { ratelimits: previous.ratelimits } : {}),
        ...(previous.credits ? { credits: previous.credits } : {}),
      };
      const rotation: Rotation = {
        teamId: input.teamId,
        keyId: previous.id,
        ownerId: previous.ownerId,
        replacedBy: stored.id,
        graceEndsAt: new Date(now.getTime() + input.graceHours * HOUR_MS),
        at: now,
        by: actor.userId,
        state: 'grace',
      };
      stored.replaces = previous.id;
      await repos.keys.insert(hashKey(deps.pepper, value), stored);
      if (!(await repos.rotations.begin(ref, rotation))) {
        // Another rotation of the same key won: this new key was never shown to anyone.
        await repos.rotations.deleteUnissuedKey(input.teamId, stored.id);
        throw badRequest('This key was already rotated: rotate its replacement instead.');
      }
      return afterWrite(async () => {
        // The balance moves rather than doubles: the previous key keeps working through its grace on 0 credits.
        if (previous.credits) {
          const balance = await repos.limits.takeCredits(input.teamId, previous.id);
          // The new key revoked meanwhile (a leak report, Revoke All): the balance stays with the previous key, never lost.
          if (balance && !(await repos.limits.setKeyLimits(input.teamId, stored.id, { credits: balance }, deps.now()))) {
            await repos.limits.setKeyLimits(input.teamId, previous.id, { credits: balance }, deps.now());
          }
        }
        await onStateChange();
        await actions.changed(input.teamId, 'created', [stored.id]);
        await actions.changed(input.teamId, 'rotated', [previous.id]);
        if (input.graceHours === 0) {
          await revokePrevious(rotation, actor);
          await repos.rotations.markDone(ref);
        }
        await audit.record({
          id: `aud_rot_${previous.id}`,
          teamId: input.teamId,
          action: 'key.rotated',
          actor,
          targetIds: [previous.id, stored.id],
          details: { name: previous.name, replacedBy: stored.id, graceHours: input.graceHours, graceEndsAt: rotation.graceEndsAt },
          at: now,
        });
        if (actor.userId !== previous.ownerId) {
          await notify.publish([rotationNotice(rotation, actor, previous.name, previous.hint, null, `rotated:${previous.id}`, now)]);
        }
        const fresh = (await repos.keys.findByPublicId(input.teamId, previous.id)) ?? previous;
        const [row, prev] = await keys.rows(input.teamId, [stored, fresh]);
        return { key: value, row: row!, previous: prev! };
      });
    },

    /**
     * The background pass: revokes previous keys whose grace has ended, and
     * warns owners whose previous key is still used in its last hour. Safe on
     * N instances: a second revoke finds the key revoked and changes nothing,
     * and the warning's notice id is derived from the key.
     */
    async run(): Promise<{ revoked: number; warned: number }> {
      const now = deps.now();
      let revoked = 0;
      for (const r of await repos.rotations.graceEnded(now, PASS_LIMIT)) {
        revoked += (await revokePrevious(r, systemActor)).changed.length;
        await repos.rotations.markDone(r.ref);
      }
      let warned = 0;
      for (const r of await repos.rotations.graceEndingBefore(now, new Date(now.getTime() + LAST_HOUR_MS))) {
        const mark = `rotation-last-hour:${r.keyId}`;
        if ((await repos.marks.existing([mark])).size > 0) continue;
        const since = Math.max(r.at.getTime(), r.graceEndsAt.getTime() - LAST_HOUR_MS);
        const uses = await repos.usage.countsOfKeys(r.teamId, [r.keyId], new Date(Math.floor(since / HOUR_MS) * HOUR_MS), null);
        if (!uses.some((u) => u.lastValidAt && u.lastValidAt.getTime() >= since)) continue;
        const key = await repos.keys.findByPublicId(r.teamId, r.keyId);
        if (!key || key.status === 'revoked') continue;
        // The notice first (its id is the key's, so a repeat is a no-op), then the mark: a crash in between only repeats the check.
        await notify.publish([rotationNotice(r, null, key.name, key.hint, GRACE_ENDING, mark, now)]);
        await repos.marks.claim([mark], `rot-${r.keyId}`, now);
        warned++;
      }
      return { revoked, warned };
    },
  };
}
export type RotationService = ReturnType<typeof rotationService>;
