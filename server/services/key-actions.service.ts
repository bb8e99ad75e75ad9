import type { AuditAction } from '../../shared/schemas/audit';
import type { ActionProgress, DisabledReason, RevokedReason } from '../../shared/schemas/key';
import type { ActionRecord, ActionsRepo, KeyAction } from '../db/actions.repo';
import type { KeysRepo, RevocationScope, StoredKey } from '../db/keys.repo';
import type { Deps } from '../deps';
import { AppError, isDatabaseUnavailable } from '../errors';
import { newId } from '../lib/ids';
import type { Actor } from './actor';
import type { AuditService } from './audit.service';
import type { KeyEvents } from './key-events';
import type { KeyChangeRecorder } from './key-changes.service';
import { policyCap, policyEffect } from './expiry-policy';

/**
 * Bulk changes to keys without transactions (a production MongoDB may be
 * standalone, FerretDB has none). The action is written first, as the audit
 * anchor; each key it changes is stamped with the action's id by the same
 * conditional write that changes it; notices and the audit record are keyed by
 * the action's id. So every step is idempotent, and a retry (by the caller or
 * by the background pass over pending actions) finishes what an outage cut
 * short without doing anything twice.
 */
export type { KeyAction, KeyActionKind } from '../db/actions.repo';

/** A bulk change to run: who asks, in which team, and the typed action (see KeyAction for the kinds). */
export type KeyActionRequest = { teamId: string; actor: Actor } & KeyAction;

/** Per-key policy writes run this many at a time: fast enough, gentle on the pool. */
const POLICY_WRITE_BATCH = 20;

/** A revocation or disable of more keys than this runs in batches of it, recording keys done of total after each (keys.actionProgress). */
export const PROGRESS_BATCH = 200;
/** About this many batches: a large action takes bigger steps, up to IDS_PER_WRITE keys. */
const PROGRESS_STEPS = 10;
/** Public ids one revocation write names: the embedded engine reads up to 1,000 of them from its index (PUSHDOWN.md). */
const IDS_PER_WRITE = 1000;

/** The keys one batch of a large action names: about PROGRESS_STEPS batches, each at least PROGRESS_BATCH and at most IDS_PER_WRITE. */
const batchStep = (total: number) => Math.min(IDS_PER_WRITE, Math.max(PROGRESS_BATCH, Math.ceil(total / PROGRESS_STEPS)));

/** Keys a revocation changed, by public id: the verify cache marks them revoked in place. */
type Revoked = { teamId: string; keyIds: string[] };

type KeyChange = Exclude<KeyAction, { kind: 'policy' }>;

/** The change feed's kind for each effect (key-changes.service). */
const FEED_KIND = { revoke: 'revoked', disable: 'disabled', enable: 'enabled' } as const;
const noFeed: KeyChangeRecorder = { record: async () => {} };

/**
 * What each kind of key change does: the state it writes, why (the key's reason), the keys it
 * covers, and its audit name. Every kind is listed; adding one to KeyAction without a row here
 * fails the typecheck.
 */
const KEY_CHANGES: { [K in KeyChange['kind']]: (a: Extract<KeyChange, { kind: K }>) => Change } = {
  revoke: (a) => ({ effect: 'revoke', reason: a.reason, keyIds: a.keyIds, audit: 'key.revoked' }),
  revoke_all: () => ({ effect: 'revoke', reason: 'revoke_all', keyIds: null, audit: 'key.revoked' }),
  disable: (a) => ({ effect: 'disable', reason: a.reason, keyIds: a.keyIds, audit: 'key.disabled' }),
  owner_removed: (a) => ({ effect: 'disable', reason: 'owner_removed', keyIds: null, ownerId: a.ownerId, audit: 'key.disabled' }),
  enable: (a) => ({ effect: 'enable', reason: null, keyIds: a.keyIds, audit: 'key.enabled' }),
};

type Change =
  | { effect: 'revoke'; reason: RevokedReason; keyIds: string[] | null; ownerId?: string; audit: AuditAction }
  | { effect: 'disable'; reason: DisabledReason; keyIds: string[] | null; ownerId?: string; audit: AuditAction }
  | { effect: 'enable'; reason: null; keyIds: string[]; ownerId?: undefined; audit: AuditAction };

const changeOf = <A extends KeyChange>(a: A): Change => (KEY_CHANGES[a.kind] as (a: A) => Change)(a);

export function keyActionsService(
  deps: Deps,
  repos: { keys: KeysRepo; actions: ActionsRepo },
  audit: AuditService,
  events: KeyEvents,
  /** Told after any action may have changed key state (the verify cache listens), with the keys when they were revoked. */
  onStateChange: (revoked?: Revoked) => Promise<void> = async () => {},
  /**
   * The change feed. Written after the key writes and before the action completes, so a failure
   * leaves the action pending and the background pass records it then (at least once).
   */
  feed: KeyChangeRecorder = noFeed,
) {
  /** Signalled right after the key writes: a revoked key must stop verifying before notices go out. */
  const signal = (revoked?: Revoked) => onStateChange(revoked).catch((err) => deps.log.error('signalling a key state change failed', err));

  /** An apply that fails part-way may have changed keys before reaching its signal: signal then too. */
  async function applyAndSignal(action: ActionRecord, firstRun = false): Promise<StoredKey[]> {
    try {
      return await apply(action, firstRun);
    } catch (err) {
      await signal();
      throw err;
    }
  }

  /** Each key needs its own expiry (createdAt + N), so this is one conditional write per key. */
  async function applyPolicy(action: ActionRecord, days: number): Promise<StoredKey[]> {
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
    await feed.record(action.teamId, 'updated', changed.filter((k) => !expiredNow.includes(k)).map((k) => k.id));
    await feed.record(action.teamId, 'revoked', expiredNow.map((k) => k.id));
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

  /**
   * Revokes `scope` and returns the keys this action revoked. Its live keys are listed, then revoked by
   * public id: in batches when there are more than PROGRESS_BATCH, with keys done of total recorded on the
   * action and the verify cache told after each batch. A batch that revoked every key it named revoked
   * exactly those, so on the action's first run the listing (in its new state) is the answer; when a count
   * differs (a racing change, or a key the listing did not show, which the last pass over the whole scope
   * reaches), or when an earlier run may have revoked some already, the keys stamped with the action's id are
   * read instead.
   */
  async function revoke(action: ActionRecord, scope: RevocationScope, reason: RevokedReason, firstRun: boolean): Promise<StoredKey[]> {
    const change = { reason, by: action.actor.userId, at: action.createdAt, actionId: action.id };
    const listed = await repos.keys.listRevocable(scope, action.createdAt);
    const batched = listed.length > PROGRESS_BATCH;
    const step = batched ? batchStep(listed.length) : IDS_PER_WRITE;
    let exact = firstRun;
    if (batched) await repos.actions.progress(action.id, 0, listed.length);
    for (let i = 0; i < listed.length; i += step) {
      const keyIds = listed.slice(i, i + step).map((k) => k.id);
      const revoked = await repos.keys.revokeWhere({ ...scope, ids: keyIds }, change);
      exact &&= revoked === keyIds.length;
      await signal(revoked === keyIds.length ? { teamId: action.teamId, keyIds } : undefined);
      if (batched) await repos.actions.progress(action.id, Math.min(i + step, listed.length), listed.length);
    }
    // The whole scope once more (a no-op for what the batches revoked): keys the listing did not show are reached too.
    if (!scope.ids && (await repos.keys.revokeWhere(scope, change)) > 0) {
      exact = false;
      await signal();
    }
    // A run cut short may have written keys without telling the other instances: tell them now.
    if (!firstRun) await signal();
    if (!exact) return repos.keys.findByAction(action.id);
    const state = { status: 'revoked' as const, revokedReason: reason, revokedAt: change.at, revokedBy: change.by, actionId: action.id };
    return listed.map((k) => ({ ...k, ...state }));
  }

  /**
   * Disables `scope`'s enabled keys. Like a revocation, a large one goes in batches by public id with
   * keys done of total recorded after each (and the verify cache told), so the dashboard shows progress;
   * then the whole scope once more, which is the only write of a small one.
   */
  async function disable(action: ActionRecord, scope: RevocationScope, reason: DisabledReason): Promise<void> {
    const change = { reason, at: action.createdAt, actionId: action.id };
    const listed = (await repos.keys.listRevocable(scope, action.createdAt)).filter((k) => k.status === 'enabled');
    if (listed.length > PROGRESS_BATCH) {
      const step = batchStep(listed.length);
      await repos.actions.progress(action.id, 0, listed.length);
      for (let i = 0; i < listed.length; i += step) {
        await repos.keys.disableWhere({ ...scope, ids: listed.slice(i, i + step).map((k) => k.id) }, change);
        await signal();
        await repos.actions.progress(action.id, Math.min(i + step, listed.length), listed.length);
      }
    }
    await repos.keys.disableWhere(scope, change);
  }

  async function apply(action: ActionRecord, firstRun: boolean): Promise<StoredKey[]> {
    if (action.action.kind === 'policy') return applyPolicy(action, action.action.maxLifetimeDays);
    const change = changeOf(action.action);
    const scope = {
      teamId: action.teamId,
      ...(change.keyIds ? { ids: change.keyIds } : { createdBefore: action.createdAt }),
      ...(change.ownerId ? { ownerId: change.ownerId } : {}),
    };
    let changed: StoredKey[];
    if (change.effect === 'revoke') {
      // Keys another action revoked first stay its own to report (the background pass finishes it if it was cut short).
      changed = await revoke(action, scope, change.reason, firstRun);
    } else {
      if (change.effect === 'disable') await disable(action, scope, change.reason);
      else await repos.keys.enableWhere({ teamId: action.teamId, ids: change.keyIds }, { at: action.createdAt, actionId: action.id });
      await signal();
      changed = await repos.keys.findByAction(action.id);
    }
    await feed.record(action.teamId, FEED_KIND[change.effect], changed.map((k) => k.id));
    const actor: Actor = { ...action.actor, ip: action.ip, userAgent: action.userAgent };
    if (changed.length > 0 && change.effect !== 'enable') {
      await events.keysChanged({
        actionId: action.id,
        teamId: action.teamId,
        kind: change.effect === 'revoke' ? 'revoked' : 'disabled',
        reason: change.reason,
        actor,
        keys: changed,
        at: action.createdAt,
      });
    }
    // Nothing changed (a retry of work another action did) leaves no audit noise;
    // Revoke All is recorded even on an empty team — someone pressed the red button.
    if (changed.length > 0 || action.action.kind === 'revoke_all') {
      await audit.record({
        id: `aud_${action.id}`,
        teamId: action.teamId,
        action: change.audit,
        actor,
        targetIds: changed.map((k) => k.id),
        details: { reason: change.reason, actionId: action.id },
        at: action.createdAt,
      });
    }
    await repos.actions.complete(action.id, { changed: changed.length }, deps.now());
    return changed;
  }

  return {
    /**
     * Tells the change feed of a key change made outside an action: issuing (keys.create),
     * rotation, and — the one place it hooks — a policy update of a key (`keys.update`: kind `updated`).
     */
    changed: (teamId: string, kind: Parameters<KeyChangeRecorder['record']>[1], keyIds: string[]) => feed.record(teamId, kind, keyIds),

    /** Runs a bulk change to completion and returns the keys it changed. */
    async run(request: KeyActionRequest): Promise<{ actionId: string; changed: StoredKey[] }> {
      const { teamId, actor, ...kind } = request;
      const action: ActionRecord = {
        id: newId('act'),
        teamId,
        action: kind as KeyAction,
        actor: { userId: actor.userId, email: actor.email, role: actor.role, ...(actor.token ? { token: actor.token } : {}) },
        ip: actor.ip,
        userAgent: actor.userAgent,
        state: 'pending',
        createdAt: deps.now(),
        completedAt: null,
        result: null,
      };
      await repos.actions.insert(action);
      try {
        return { actionId: action.id, changed: await applyAndSignal(action, true) };
      } catch (err) {
        // Some keys may have changed already: say so, rather than "nothing was changed".
        if (!isDatabaseUnavailable(err)) throw err;
        throw new AppError(
          'SERVICE_UNAVAILABLE',
          `The database became unavailable part-way through. The action is recorded (${action.id}) and will be completed automatically by the background pass; retrying is safe and changes nothing twice.`,
        );
      }
    },

    /** The team's large actions still running, with keys done of total (polled by the dashboard during a bulk call). */
    async progress(teamId: string): Promise<ActionProgress> {
      const running = await repos.actions.listRunning(teamId);
      return { running: running.flatMap((a) => (a.progress ? [{ actionId: a.id, kind: a.action.kind, ...a.progress }] : [])) };
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
