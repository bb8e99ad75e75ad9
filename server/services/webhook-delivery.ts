import { DAY_MS, HOUR_MS } from '../../shared/time';
import type { ClaimedMessage } from '../db/outbox.repo';
import type { WebhookEndpointRecord, WebhooksRepo } from '../db/webhooks.repo';
import type { Deps } from '../deps';
import type { OutboxChannel } from './outbox.service';
import { retryDelayMs } from './outbox.service';
import { slackMessage, type WebhookEventBody } from './webhook-events';
import { postJson, type PostResult } from './webhook-http';
import { openSecret, signedHeaders, type SigningSecret } from './webhook-signing';
import { checkTargetForDelivery, type TargetPolicy } from './webhook-target';

/**
 * The outbox channel that delivers webhook events. Each attempt checks the
 * target again (DNS resolved here, the approved address connected to), signs
 * with the endpoint's current secrets, waits at most `timeoutMs`, and is
 * logged for `webhooks.deliveries`. The `webhook-id` is the event's id, the
 * same on every retry. Retries back off exponentially with jitter until the
 * event is `giveUpAfterMs` old; an endpoint that has failed for
 * `disableAfterMs` is turned off and its team's admins told.
 */
export interface WebhookOptions {
  timeoutMs: number;
  baseDelayMs: number;
  maxDelayMs: number;
  giveUpAfterMs: number;
  disableAfterMs: number;
  policy: TargetPolicy;
}

export const DEFAULT_WEBHOOK_OPTIONS: WebhookOptions = {
  timeoutMs: 10_000,
  baseDelayMs: 5_000,
  maxDelayMs: HOUR_MS,
  giveUpAfterMs: DAY_MS,
  disableAfterMs: DAY_MS,
  policy: { allowHttpLoopback: false, allowPrivate: false },
};

/** Retries due sooner than this are kicked by a timer in this process; later ones wait for the job tick. */
const TIMER_HORIZON_MS = 10 * 60_000;

/** Kicks the outbox when `at` comes, if that is soon; a stopped outbox ignores the kick. */
export function kickAt(at: Date, now: Date, kick: () => void): void {
  const wait = at.getTime() - now.getTime();
  if (wait < TIMER_HORIZON_MS) setTimeout(kick, Math.max(0, wait) + 50).unref();
}

export function webhookChannel(
  deps: Deps,
  repos: { webhooks: WebhooksRepo },
  options: WebhookOptions,
  hooks: { kick(): void; endpointDisabled(endpoint: WebhookEndpointRecord, lastError: string): Promise<void> },
): OutboxChannel {
  function secretsOf(endpoint: WebhookEndpointRecord, now: Date): SigningSecret[] {
    const { current, previous, previousUntil } = endpoint.secret;
    const secrets = [openSecret(deps.pepper, current)];
    if (previous && previousUntil && previousUntil > now) secrets.push(openSecret(deps.pepper, previous));
    return secrets;
  }

  async function post(endpoint: WebhookEndpointRecord, event: WebhookEventBody, stored: string, now: Date): Promise<PostResult> {
    let target;
    try {
      target = await checkTargetForDelivery(endpoint.url, options.policy);
    } catch (err) {
      return { statusCode: null, error: `refused target: ${err instanceof Error ? err.message : String(err)}` };
    }
    const body = endpoint.format === 'slack' ? JSON.stringify(slackMessage(event)) : stored;
    const headers = signedHeaders(event.id, body, secretsOf(endpoint, now), now);
    // `localhost` may list ::1 first while the receiver listens on 127.0.0.1 only: try the next approved address.
    const deadline = Date.now() + options.timeoutMs;
    let result: PostResult = { statusCode: null, error: 'no address to deliver to' };
    for (const address of target.addresses) {
      result = await postJson(target.url, address, body, headers, Math.max(1, deadline - Date.now()));
      if (!result.unreachable) break;
    }
    return { statusCode: result.statusCode, error: result.error };
  }

  async function trackHealth(endpoint: WebhookEndpointRecord, ok: boolean, error: string, now: Date) {
    if (ok) return repos.webhooks.markHealthy(endpoint.id);
    const since = await repos.webhooks.markFailing(endpoint.id, now);
    if (endpoint.enabled && now.getTime() - since.getTime() >= options.disableAfterMs) {
      await repos.webhooks.updateEndpoint(endpoint.teamId, endpoint.id, { enabled: false, disabledReason: 'failing' }, now);
      await hooks.endpointDisabled({ ...endpoint, failingSince: since }, error);
    }
  }

  return {
    async deliver(message: ClaimedMessage) {
      const endpoint = await repos.webhooks.findEndpointById(message.to);
      if (!endpoint) return { ok: false, error: 'the endpoint was deleted', retryAt: null };
      const event = JSON.parse(message.text) as WebhookEventBody;
      const isPing = event.type === 'ping';
      const now = deps.now();
      // The claim counted this attempt.
      const attempt = message.attempts;
      const started = performance.now();
      const result: PostResult =
        endpoint.enabled || isPing ? await post(endpoint, event, message.text, now) : { statusCode: null, error: 'the endpoint is disabled' };
      const durationMs = Math.round(performance.now() - started);
      const ok = result.error === null;
      const next = new Date(now.getTime() + retryDelayMs(attempt, options));
      // A test ping is tried once; a disabled endpoint's events are dropped, as its admin chose.
      const retryAt = ok || isPing || !endpoint.enabled || next.getTime() - message.createdAt.getTime() > options.giveUpAfterMs ? null : next;
      await repos.webhooks.recordAttempt({
        id: `${message.id}:${attempt}`,
        teamId: endpoint.teamId,
        endpointId: endpoint.id,
        messageId: message.id,
        eventId: event.id,
        event: event.type,
        attempt,
        at: now,
        statusCode: result.statusCode,
        durationMs,
        error: result.error,
        nextRetryAt: retryAt,
        outcome: ok ? 'delivered' : retryAt ? 'retrying' : 'failed',
      });
      if (!isPing && endpoint.enabled) await trackHealth(endpoint, ok, result.error ?? '', now);
      if (ok) return { ok: true };
      if (retryAt) kickAt(retryAt, now, hooks.kick);
      return { ok: false, error: result.error ?? 'failed', retryAt };
    },
  };
}
