import type { DisabledReason, RevokedReason } from '../../shared/schemas/key';
import type { ActionRecord, ActionsRepo } from '../db/actions.repo';
import type { KeysRepo, StoredKey } from '../db/keys.repo';
import type { Deps } from '../deps';
import { AppError, isDatabaseUnavailable } from '../errors';
import { newId } from '../lib/ids';
import type { Actor } from './actor';
import type { AuditService } from './audit.service';
import type { KeyEvents } from './key-events';
import { policyCap, policyEffect } from './expiry-policy';

/**
 * Bulk changes to keys without transactions (FerretDB has none; a production
 * MongoDB may be standalone). The action is written first; each key it changes
 * is stamped with the action's id; notices and the audit record are keyed by
 * the action's id. So every step is idempotent, and a retry — by the caller or
 * by the background pass over pending actions — finishes what an outage cut
 * short without doing anything twice.
 */
export type KeyActionKind = 'revoke' | 'disable' | 'enable' | 'policy';

export interface KeyActionRequest {
  teamId: string;
  kind: KeyActionKind;
  reason: RevokedReason | DisabledReason | null;
  actor: Actor;
  /** null means every key of the team (Revoke All), or of `ownerId`. */
  keyIds: string[] | null;
  ownerId?: string;
  /** Kind `policy` only: the lifetime cap to apply to the team's live keys. */
  maxLifetimeDays?: number;
}

/** Per-key policy writes run this many at a time: fast enough, gentle on the pool. */
const POLICY_WRITE_BATCH = 20;

const AUDIT_ACTION = { revoke: 'key.revoked', disable: 'key.disabled', enable: 'key.enabled', policy: 'policy.applied' } as const;

export function keyActionsService(
  deps: Deps,
  repos: { keys: KeysRepo; actions: ActionsRepo },
  audit: AuditService,
  events: KeyEvents,
  /** Told after any action may have changed key state (the verify cache listens). */
  onStateChange: () => Promise<void> = async () => {},
) {
  /** Signalled right after the key writes: a revoked key must stop verifying before notices go out. */
  const signal = () => onStateChange().catch((err) => deps.log.error('signalling a key state change failed', err));

  /** An apply that fails part-way may have changed keys before reaching its signal: signal then too. */
  async function applyAndSignal(action: ActionRecord): Promise<StoredKey[]> {
    try {
      return await apply(action);
    } catch (err) {
      await signal();
      throw err;
    }
  }

  /** Each key needs its own expiry (createdAt + N), so this is one conditional write per key. */
  async function applyPolicy(action: ActionRecord): Promise<StoredKey[]> {
    const days = Number(action.details?.maxLifetimeDays);
    const at = action.createdAt;
    const targets = (await repos.keys.listLive(action.teamId, at)).filter((k) => policyEffect(k, days, at) !== 'unchanged');
    for (let i = 0; i < targets.length; i += POLICY_WRITE_BATCH) {
      await Promise.all(
        targets
          .slice(i, i + POLICY_WRITE_BATCH)
          .map((k) => repos.keys.capExpiry(action.teamId, k.id, policyCap(k.createdAt, days), { at, by: action.actor.userId, actionId: action.id })),
      );
    }
    await signal();
    const changed = await repos.keys.findByAction(action.id);
    const expiredNow = changed.filter((k) => k.status === 'revoked' && k.revokedReason === 'policy');
    const actor: Actor = { ...action.actor, ip: action.ip, userAgent: action.userAgent };
    await events.policyApplied({ actionId: action.id, teamId: action.teamId, actor, maxLifetimeDays: days, changed, expiredNow, at });
    // Recorded even when nothing changed: setting a policy is an admin action in its own right.
    await audit.record({
      id: `aud_${action.id}`,
      teamId: action.teamId,
      action: 'policy.applied',
      actor,
      targetIds: changed.map((k) => k.id),
      details: { maxLifetimeDays: days, changed: changed.length, expireNow: expiredNow.length, actionId: action.id },
      at,
    });
    await repos.actions.complete(action.id, { changed: changed.length, expireNow: expiredNow.length }, deps.now());
    return changed;
  }

  async function apply(action: ActionRecord): Promise<StoredKey[]> {
    if (action.kind === 'policy') return applyPolicy(action);
    const scope = {
      teamId: action.teamId,
      ...(action.keyIds ? { ids: action.keyIds } : { createdBefore: action.createdAt }),
      ...(action.details?.ownerId ? { ownerId: String(action.details.ownerId) } : {}),
    };
    if (action.kind === 'revoke') {
      const { heldBy } = await repos.keys.revokeWhere(scope, { reason: action.reason as RevokedReason, by: action.actor.userId, at: action.createdAt, actionId: action.id });
      // Keys another revocation claimed first are its to report: finish it now if an outage left it pending
      // (idempotent, so helping one that is merely still running does no harm).
      for (const id of heldBy) {
        const other = await repos.actions.find(id);
        if (other && other.state === 'pending' && other.id !== action.id) {
          // Best effort: this caller's own action is done; the background pass finishes the other if this fails.
          await apply(other).catch((err) => deps.log.error(`finishing action ${other.id} failed`, err));
        }
      }
    } else if (action.kind === 'disable') {
      await repos.keys.disableWhere(scope, { reason: action.reason as DisabledReason, at: action.createdAt, actionId: action.id });
    } else if (action.kind === 'enable' && action.keyIds) {
      await repos.keys.enableWhere({ teamId: action.teamId, ids: action.keyIds }, { at: action.createdAt, actionId: action.id });
    }
    await signal();
    const changed = await repos.keys.findByAction(action.id);
    const actor: Actor = { ...action.actor, ip: action.ip, userAgent: action.userAgent };
    if (changed.length > 0 && action.kind !== 'enable') {
      await events.keysChanged({
        actionId: action.id,
        teamId: action.teamId,
        kind: action.kind === 'revoke' ? 'revoked' : 'disabled',
        reason: action.reason ?? 'manual',
        actor,
        keys: changed,
        at: action.createdAt,
      });
    }
    // Nothing changed (a retry of work another action did) leaves no audit noise;
    // Revoke All is recorded even on an empty team — someone pressed the red button.
    if (changed.length > 0 || (action.kind === 'revoke' && action.keyIds === null && !action.details?.ownerId)) {
      await audit.record({
        id: `aud_${action.id}`,
        teamId: action.teamId,
        action: AUDIT_ACTION[action.kind as KeyActionKind],
        actor,
        targetIds: changed.map((k) => k.id),
        details: { reason: action.reason, actionId: action.id },
        at: action.createdAt,
      });
    }
    await repos.actions.complete(action.id, { changed: changed.length }, deps.now());
    return changed;
  }

  return {
    /** Runs a bulk change to completion and returns the keys it changed. */
    async run(request: KeyActionRequest): Promise<{ actionId: string; changed: StoredKey[] }> {
      const action: ActionRecord = {
        id: newId('act'),
        teamId: request.teamId,
        kind: request.kind,
        reason: request.reason,
        keyIds: request.keyIds,
        actor: { userId: request.actor.userId, email: request.actor.email, role: request.actor.role },
        ip: request.actor.ip,
        userAgent: request.actor.userAgent,
        details: request.ownerId ? { ownerId: request.ownerId } : request.maxLifetimeDays !== undefined ? { maxLifetimeDays: request.maxLifetimeDays } : null,
        state: 'pending',
        createdAt: deps.now(),
        completedAt: null,
        result: null,
      };
      await repos.actions.insert(action);
      try {
        return { actionId: action.id, changed: await applyAndSignal(action) };
      } catch (err) {
        // Some keys may have changed already: say so, rather than "nothing was changed".
        if (!isDatabaseUnavailable(err)) throw err;
        throw new AppError(
          'SERVICE_UNAVAILABLE',
          `The database became unavailable part-way through. The action is recorded (${action.id}) and will be completed automatically by the background pass; retrying is safe and changes nothing twice.`,
        );
      }
    },

    /** The background pass: finishes actions an outage or crash left pending. */
    async resumePending(olderThanMs = 30_000): Promise<number> {
      const pending = await repos.actions.listPending(new Date(deps.now().getTime() - olderThanMs), 50);
      for (const action of pending) await applyAndSignal(action);
      return pending.length;
    },
  };
}
export type KeyActionsService = ReturnType<typeof keyActionsService>;
