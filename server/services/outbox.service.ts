import { randomUUID } from 'node:crypto';
import type { OutboxPage, OutboxState } from '../../shared/schemas/outbox';
import type { ClaimedMessage, NewOutboxMessage, OutboxRepo } from '../db/outbox.repo';
import type { Deps } from '../deps';
import { withDeadline } from '../lib/deadline';
import { keysetPage, positionCursor } from '../lib/pagination';
import { HOUR_MS } from '../../shared/time';
import { systemActor } from './actor';
import { outboxLanes, type LaneLimits } from './outbox-lanes';
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
 *
 * Messages go out in lanes (outbox-lanes.ts): emails in one, each webhook endpoint's deliveries
 * in another, so a slow or failing endpoint holds up only its own deliveries.
 */
export interface OutboxOptions extends LaneLimits {
  maxAttempts: number;
  baseDelayMs: number;
  maxDelayMs: number;
  /** How long a claimed message is reserved for its worker; longer than `sendTimeoutMs`. */
  leaseMs: number;
  sendTimeoutMs: number;
}

export const DEFAULT_OUTBOX_OPTIONS: OutboxOptions = {
  maxAttempts: 8,
  baseDelayMs: 30_000,
  maxDelayMs: HOUR_MS,
  leaseMs: 5 * 60_000,
  sendTimeoutMs: 60_000,
  batchSize: 25,
  emailsInFlight: 4,
  endpointsInFlight: 8,
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
  const channels = new Map<string, OutboxChannel>();

  async function sendOnChannel(message: ClaimedMessage, channel: OutboxChannel | undefined): Promise<boolean> {
    // A channel reports a failed delivery in its result; what it throws (a database error) leaves the
    // message leased, so it is tried again when the lease runs out, as with email.
    const result = channel
      ? await channel.deliver(message)
      : { ok: false as const, error: `no ${message.channel} channel on this server`, retryAt: new Date(deps.now().getTime() + options.leaseMs) };
    if (result.ok) {
      await repos.outbox.markSent(message, owner, deps.now());
      return true;
    }
    await repos.outbox.markAttemptFailed(message, owner, {
      state: result.retryAt ? 'pending' : 'failed',
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
    await repos.outbox.markSent(message, owner, deps.now());
    return true;
  }

  async function recordFailure(message: ClaimedMessage, err: unknown) {
    const attempts = message.attempts;
    const error = (err instanceof Error ? err.message : String(err)).slice(0, 500);
    const failed = attempts >= options.maxAttempts;
    const now = deps.now();
    const recorded = await repos.outbox.markAttemptFailed(message, owner, {
      state: failed ? 'failed' : 'pending',
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

  const lanes = outboxLanes(
    options,
    {
      dueIds: (lane, limit) => repos.outbox.findDueIds(lane, deps.now(), limit),
      dueEndpointIds: () => repos.outbox.dueEndpointIds(deps.now()),
      async attempt(id) {
        const message = await repos.outbox.claim(id, owner, deps.now(), options.leaseMs);
        return message && send(message);
      },
    },
    deps.log,
  );

  return {
    options,
    /** Sends every due message this instance can claim, lane by lane; returns how many were sent. */
    drain: lanes.drain,
    /** Starts sending every due message without waiting for the sends (the job tick: a slow endpoint must not hold up the other jobs). */
    wake: lanes.wake,

    enqueue: (message: NewOutboxMessage) => repos.outbox.enqueue(message),

    nextDueAt: (channel: NonNullable<NewOutboxMessage['channel']>) => repos.outbox.nextDueAt(channel),

    /** Registers the transport for messages of `name` (set once at wiring time). */
    useChannel(name: NonNullable<NewOutboxMessage['channel']>, channel: OutboxChannel) {
      channels.set(name, channel);
    },

    /** Sends soon after a message is written, without waiting for the next job tick or holding up the caller. */
    kick: lanes.kick,

    /**
     * Resolves once this instance has no drain in flight and none kicked and waiting to start:
     * every message a kick was for has then been sent or had its attempt recorded. Tests await
     * it instead of sleeping; messages held by other instances are theirs to settle.
     */
    idle: lanes.idle,

    /** Lets the sends in flight finish before the mailer closes. */
    stop: lanes.stop,

    async listForTeam(teamId: string, input: { state?: OutboxState; cursor?: string; limit: number }): Promise<OutboxPage> {
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
