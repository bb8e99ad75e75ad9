import { randomUUID } from 'node:crypto';
import type { OutboxItem, OutboxState } from '../../shared/schemas/outbox';
import type { ClaimedMessage, NewOutboxMessage, OutboxRepo } from '../db/outbox.repo';
import type { Deps } from '../deps';
import { keysetPage, positionCursor } from '../lib/pagination';
import { HOUR_MS } from '../../shared/time';
import { withDeadline } from '../lib/deadline';
import { systemActor } from './actor';
import type { AuditService } from './audit.service';

/**
 * Email that is never lost: a message is written to the outbox first (its id
 * is the idempotency key and becomes the Message-ID), then a worker on any
 * instance claims it with a lease and sends it. Failures back off
 * exponentially (capped, with jitter); after `maxAttempts` the message is
 * kept as `failed`, audited, and shown to the team's admins — never dropped.
 *
 * A crash after the SMTP server accepted a message but before it was marked
 * sent re-sends it once the lease expires, with the same Message-ID, so
 * receiving systems can tell the copies apart; no worker sends it twice otherwise.
 */
export interface OutboxOptions {
  maxAttempts: number;
  baseDelayMs: number;
  maxDelayMs: number;
  /** How long a claimed message is reserved for its worker; longer than `sendTimeoutMs`. */
  leaseMs: number;
  sendTimeoutMs: number;
  batchSize: number;
}

export const DEFAULT_OUTBOX_OPTIONS: OutboxOptions = {
  maxAttempts: 8,
  baseDelayMs: 30_000,
  maxDelayMs: HOUR_MS,
  leaseMs: 5 * 60_000,
  sendTimeoutMs: 60_000,
  batchSize: 25,
};

/**
 * Another kind of message the outbox carries (webhook deliveries): the same write-first ids,
 * claims, leases and at-least-once retries as email, with its own transport and retry schedule.
 * `deliver` makes one attempt and says when to try again (null: give up, the message is `failed`).
 */
export interface OutboxChannel {
  deliver(message: ClaimedMessage): Promise<{ ok: true } | { ok: false; error: string; retryAt: Date | null }>;
}

/** "Equal jitter": half the exponential delay, plus up to the other half at random, so retries of many messages spread out. */
export function retryDelayMs(attempts: number, o: Pick<OutboxOptions, 'baseDelayMs' | 'maxDelayMs'>, random = Math.random): number {
  const ceiling = Math.min(o.maxDelayMs, o.baseDelayMs * 2 ** Math.max(0, attempts - 1));
  return Math.round(ceiling / 2 + random() * (ceiling / 2));
}

export function outboxService(deps: Deps, repos: { outbox: OutboxRepo }, audit: AuditService, overrides: Partial<OutboxOptions> = {}) {
  const options = { ...DEFAULT_OUTBOX_OPTIONS, ...overrides };
  const owner = randomUUID();
  let draining: Promise<number> | null = null;
  /** Kicks whose drain has not started yet. */
  let scheduled = 0;
  let again = false;
  let stopped = false;
  const channels = new Map<string, OutboxChannel>();

  async function attempt(message: ClaimedMessage): Promise<boolean> {
    try {
      return await send(message);
    } finally {
      await repos.outbox.release(message).catch(() => {});
    }
  }

  async function sendOnChannel(message: ClaimedMessage, channel: OutboxChannel | undefined): Promise<boolean> {
    // A channel reports a failed delivery in its result; what it throws (a database error) leaves the
    // message leased, so it is tried again when the lease runs out, as with email.
    const result = channel
      ? await channel.deliver(message)
      : { ok: false as const, error: `no ${message.channel} channel on this server`, retryAt: new Date(deps.now().getTime() + options.leaseMs) };
    if (result.ok) {
      await repos.outbox.markSent(message.id, owner, deps.now());
      return true;
    }
    await repos.outbox.markAttemptFailed(message.id, owner, {
      state: result.retryAt ? 'pending' : 'failed',
      attempts: message.attempts + 1,
      nextAttemptAt: result.retryAt ?? deps.now(),
      error: result.error.slice(0, 500),
    });
    return false;
  }

  async function send(message: ClaimedMessage): Promise<boolean> {
    if (message.channel) return sendOnChannel(message, channels.get(message.channel));
    try {
      await withDeadline(
        deps.mailer.send({ to: message.to, subject: message.subject, text: message.text, html: message.html, idempotencyKey: message.id }),
        options.sendTimeoutMs,
        'sending to the mail server',
      );
    } catch (err) {
      await recordFailure(message, err);
      return false;
    }
    // Outside the try: a database error here must not count as a failed send (the lease runs out and it is retried).
    await repos.outbox.markSent(message.id, owner, deps.now());
    return true;
  }

  async function recordFailure(message: ClaimedMessage, err: unknown) {
    const attempts = message.attempts + 1;
    const error = (err instanceof Error ? err.message : String(err)).slice(0, 500);
    const failed = attempts >= options.maxAttempts;
    const now = deps.now();
    const recorded = await repos.outbox.markAttemptFailed(message.id, owner, {
      state: failed ? 'failed' : 'pending',
      attempts,
      nextAttemptAt: new Date(now.getTime() + (failed ? 0 : retryDelayMs(attempts, options))),
      error,
    });
    if (!failed || !recorded) return;
    deps.log.error(`email ${message.id} to ${message.to} failed ${attempts} times; kept as failed`);
    if (message.teamId) {
      await audit.record({
        id: `aud_outbox_${message.id}`,
        teamId: message.teamId,
        action: 'outbox.failed',
        actor: systemActor,
        targetIds: message.userId ? [message.userId] : [],
        details: { messageId: message.id, to: message.to, subject: message.subject, attempts, error },
        at: now,
      });
    }
  }

  /** Sends every due message this worker can claim; returns how many were sent. */
  async function drainAll(): Promise<number> {
    let sent = 0;
    do {
      again = false;
      for (let round = 0; round < 100 && !stopped; round++) {
        const ids = await repos.outbox.findDueIds(deps.now(), options.batchSize);
        let claimed = 0;
        for (const id of ids) {
          if (stopped) break;
          const message = await repos.outbox.claim(id, owner, deps.now(), options.leaseMs);
          if (!message) continue;
          claimed++;
          if (await attempt(message)) sent++;
        }
        // Nothing left, or everything due is held by other workers: stop until the next tick.
        if (ids.length < options.batchSize || claimed === 0) break;
      }
    } while (again && !stopped);
    return sent;
  }

  /** One drain at a time per process; a kick during a drain makes it look again. */
  function drain(): Promise<number> {
    if (draining) {
      again = true;
      return draining;
    }
    return (draining = drainAll().finally(() => (draining = null)));
  }

  return {
    options,
    drain,

    enqueue: (message: NewOutboxMessage) => repos.outbox.enqueue(message),

    nextDueAt: (channel: NonNullable<NewOutboxMessage['channel']>) => repos.outbox.nextDueAt(channel),

    /** Registers the transport for messages of `name` (set once at wiring time). */
    useChannel(name: NonNullable<NewOutboxMessage['channel']>, channel: OutboxChannel) {
      channels.set(name, channel);
    },

    /** Sends soon after a notice is written, without waiting for the next job tick or holding up the caller. */
    kick() {
      if (stopped) return;
      scheduled++;
      setImmediate(() => {
        scheduled--;
        if (!stopped) drain().catch((err) => deps.log.error('outbox drain failed (the job retries)', err));
      });
    },

    /**
     * Resolves once this instance has no drain in flight and none kicked and waiting to start:
     * every message a kick was for has then been sent or had its attempt recorded. Tests await
     * it instead of sleeping; messages held by other instances are theirs to settle.
     */
    async idle(): Promise<void> {
      while (draining || scheduled > 0) {
        await (draining ?? new Promise<void>((resolve) => setImmediate(resolve))).catch(() => {});
      }
    },

    /** Lets an in-flight send finish before the mailer closes. */
    async stop() {
      stopped = true;
      await draining?.catch(() => {});
    },

    async listForTeam(teamId: string, input: { state?: OutboxState; cursor?: string; limit: number }): Promise<{ items: OutboxItem[]; nextCursor: string | null }> {
      const found = await repos.outbox.listForTeam(teamId, { state: input.state, after: positionCursor.created.decode(input.cursor), limit: input.limit + 1 });
      const page = keysetPage(found, input.limit, (m) => positionCursor.created.encode({ at: m.createdAt, id: m.id }));
      const items = page.rows.map((m) => ({
        id: m.id,
        to: m.to,
        subject: m.subject,
        state: m.state,
        attempts: m.attempts,
        nextAttemptAt: m.nextAttemptAt,
        lastError: m.lastError ?? null,
        createdAt: m.createdAt,
        sentAt: m.sentAt ?? null,
      }));
      return { items, nextCursor: page.nextCursor };
    },
  };
}
export type OutboxService = ReturnType<typeof outboxService>;
