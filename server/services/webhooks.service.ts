import { randomBase62 } from '../../shared/key-format';
import { HOUR_MS } from '../../shared/time';
import type { WebhookDeleted, WebhookDeliveryPage, WebhookEndpoint, WebhookFormat, WebhookTestResult, WebhookWithSecret } from '../../shared/schemas/webhook';
import type { AuditRecord } from '../db/audit.repo';
import type { KeysRepo } from '../db/keys.repo';
import type { TeamsRepo } from '../db/teams.repo';
import type { UsersRepo } from '../db/users.repo';
import type { EndpointChange, WebhookEndpointRecord, WebhooksRepo } from '../db/webhooks.repo';
import type { Deps } from '../deps';
import { notFound } from '../errors';
import { keysetPage, positionCursor } from '../lib/pagination';
import { sha256 } from '../lib/ids';
import { webhookDisabledMail } from '../mail/templates/webhook-disabled';
import { systemActor, type Actor } from './actor';
import type { AuditService } from './audit.service';
import type { NoticeRequest } from './notify.service';
import type { OutboxService } from './outbox.service';
import { DEFAULT_WEBHOOK_OPTIONS, kickAt, webhookChannel, type WebhookOptions } from './webhook-delivery';
import { eventBuilder, eventForAudit, type SubscribableEvent, type WebhookEventBody } from './webhook-events';
import { newSigningSecret, sealSecret } from './webhook-signing';
import { checkTargetOnSave } from './webhook-target';

/**
 * A team's webhook endpoints, and the events they receive. Events come from
 * two places only: every audit record (one event per record) and the expiry
 * notices. Each is written to the outbox once per subscribed endpoint, with
 * an id derived from the event and the endpoint, so a retried action enqueues
 * nothing twice; the outbox then delivers it at least once (webhook-delivery.ts).
 */
const ROTATION_OVERLAP_MS = 24 * HOUR_MS;

const toEndpoint = (e: WebhookEndpointRecord): WebhookEndpoint => ({
  id: e.id,
  url: e.url,
  description: e.description,
  events: e.events,
  format: e.format,
  enabled: e.enabled,
  disabledReason: e.disabledReason,
  failingSince: e.failingSince,
  previousSecretUntil: e.secret.previous ? e.secret.previousUntil : null,
  createdAt: e.createdAt,
  updatedAt: e.updatedAt,
});

export function webhooksService(
  deps: Deps,
  repos: { webhooks: WebhooksRepo; keys: KeysRepo; users: UsersRepo; teams: TeamsRepo },
  audit: AuditService,
  outbox: OutboxService,
  overrides: Partial<WebhookOptions> = {},
) {
  const options: WebhookOptions = { ...DEFAULT_WEBHOOK_OPTIONS, ...overrides };
  const events = eventBuilder(repos);

  async function endpointOf(teamId: string, endpointId: string): Promise<WebhookEndpointRecord> {
    const endpoint = await repos.webhooks.findEndpoint(teamId, endpointId);
    if (!endpoint) throw notFound('No such webhook endpoint in this team.');
    return endpoint;
  }

  async function enqueue(teamId: string, endpoints: WebhookEndpointRecord[], event: WebhookEventBody): Promise<void> {
    if (endpoints.length === 0) return;
    const text = JSON.stringify(event);
    for (const endpoint of endpoints) {
      await outbox.enqueue({
        id: `whk_${sha256(`${event.id}:${endpoint.id}`).slice(0, 32)}`,
        channel: 'webhook',
        teamId,
        userId: null,
        to: endpoint.id,
        subject: event.type,
        text,
        html: '',
        createdAt: deps.now(),
      });
    }
    outbox.kick();
  }

  async function publish(teamId: string, type: SubscribableEvent, build: () => Promise<WebhookEventBody> | WebhookEventBody | null) {
    const endpoints = await repos.webhooks.subscribers(teamId, type);
    if (endpoints.length === 0) return;
    const event = await build();
    if (event) await enqueue(teamId, endpoints, event);
  }

  /** The admins hear of it by email; the audit log keeps the record. */
  async function endpointDisabled(endpoint: WebhookEndpointRecord, lastError: string): Promise<void> {
    const since = endpoint.failingSince ?? deps.now();
    await audit.record({
      id: `aud_whdisabled_${endpoint.id}_${since.getTime()}`,
      teamId: endpoint.teamId,
      action: 'webhook.disabled',
      actor: systemActor,
      targetIds: [endpoint.id],
      details: { url: endpoint.url, failingSince: since, lastError },
    });
    const [team, memberships] = await Promise.all([repos.teams.findTeam(endpoint.teamId), repos.teams.listMembershipsOfTeam(endpoint.teamId)]);
    const admins = await repos.users.findMany(memberships.filter((m) => m.role !== 'member').map((m) => m.userId));
    const mail = webhookDisabledMail({ teamName: team?.name ?? 'your team', url: endpoint.url, failingSince: since, lastError, publicUrl: deps.config.publicUrl });
    for (const admin of admins) {
      await outbox.enqueue({ id: `whd_${sha256(`${endpoint.id}:${since.getTime()}:${admin.id}`).slice(0, 32)}`, teamId: endpoint.teamId, userId: admin.id, to: admin.email, ...mail, createdAt: deps.now() });
    }
    outbox.kick();
  }

  outbox.useChannel('webhook', webhookChannel(deps, repos, options, { kick: () => outbox.kick(), endpointDisabled }));

  return {
    options,

    /** A job on every tick (and at start): the timer for the next retry, which a restart or another instance would not have. */
    async scheduleRetries(): Promise<void> {
      const next = await outbox.nextDueAt('webhook');
      if (next) kickAt(next, deps.now(), () => outbox.kick());
    },

    /** Events worded by their own writers (issue 25's limit alerts, limit-alerts.ts): the event's id makes it once. */
    async emit(teamId: string, event: WebhookEventBody & { type: SubscribableEvent }): Promise<void> {
      await publish(teamId, event.type, () => event);
    },

    /** Audit listener: one event per record whose action is a webhook event. */
    async fromAudit(record: AuditRecord): Promise<void> {
      const type = eventForAudit(record.action);
      if (type) await publish(record.teamId, type, () => events.fromAudit(record, type));
    },

    /** From where the expiry notices are made: one event per notice (per owner and threshold). */
    async fromNotices(notices: NoticeRequest[]): Promise<void> {
      for (const notice of notices) {
        const event = events.fromNotice(notice);
        if (event) await publish(notice.teamId, event.type as SubscribableEvent, () => event);
      }
    },

    async list(teamId: string): Promise<WebhookEndpoint[]> {
      return (await repos.webhooks.listEndpoints(teamId)).map(toEndpoint);
    },

    async create(actor: Actor, input: { teamId: string; url: string; events: SubscribableEvent[]; description?: string; format: WebhookFormat }): Promise<WebhookWithSecret> {
      const url = await checkTargetOnSave(input.url, options.policy);
      const secret = newSigningSecret();
      const now = deps.now();
      const record: WebhookEndpointRecord = {
        id: `whe_${randomBase62(20)}`,
        teamId: input.teamId,
        url,
        description: input.description || null,
        events: [...new Set(input.events)],
        format: input.format,
        enabled: true,
        disabledReason: null,
        createdByToken: actor.token?.tokenId ?? null,
        secret: { current: sealSecret(deps.pepper, secret), previous: null, previousUntil: null },
        failingSince: null,
        createdAt: now,
        updatedAt: now,
      };
      await repos.webhooks.insertEndpoint(record);
      await audit.record({ teamId: input.teamId, action: 'webhook.created', actor, targetIds: [record.id], details: { url, events: record.events, format: record.format } });
      return { endpoint: toEndpoint(record), secret };
    },

    async update(
      actor: Actor,
      input: { teamId: string; endpointId: string; url?: string; events?: SubscribableEvent[]; enabled?: boolean; description?: string; format?: WebhookFormat },
    ): Promise<WebhookEndpoint> {
      const before = await endpointOf(input.teamId, input.endpointId);
      const change: EndpointChange = {};
      if (input.url !== undefined) change.url = await checkTargetOnSave(input.url, options.policy);
      if (input.events !== undefined) change.events = [...new Set(input.events)];
      if (input.description !== undefined) change.description = input.description || null;
      if (input.format !== undefined) change.format = input.format;
      if (input.enabled !== undefined) {
        change.enabled = input.enabled;
        // Turning it on again is a fresh start: the 24 h failing clock restarts.
        if (input.enabled) Object.assign(change, { disabledReason: null, failingSince: null });
      }
      const after = await repos.webhooks.updateEndpoint(input.teamId, input.endpointId, change, deps.now());
      if (!after) throw notFound('No such webhook endpoint in this team.');
      const changes = Object.fromEntries(
        (['url', 'events', 'description', 'format', 'enabled'] as const)
          .filter((f) => f in change && JSON.stringify(before[f]) !== JSON.stringify(after[f]))
          .map((f) => [f, { from: before[f], to: after[f] }]),
      );
      if (Object.keys(changes).length > 0) {
        await audit.record({ teamId: input.teamId, action: 'webhook.updated', actor, targetIds: [after.id], details: { url: after.url, changes } });
      }
      return toEndpoint(after);
    },

    async delete(actor: Actor, teamId: string, endpointId: string): Promise<WebhookDeleted> {
      const endpoint = await endpointOf(teamId, endpointId);
      if (!(await repos.webhooks.deleteEndpoint(teamId, endpointId))) throw notFound('No such webhook endpoint in this team.');
      await audit.record({ teamId, action: 'webhook.deleted', actor, targetIds: [endpointId], details: { url: endpoint.url } });
      return { deleted: true };
    },

    /** A new secret signs from now on; the old one keeps signing alongside it for 24 h, so receivers can switch over. */
    async rotateSecret(actor: Actor, teamId: string, endpointId: string): Promise<WebhookWithSecret> {
      const endpoint = await endpointOf(teamId, endpointId);
      const secret = newSigningSecret();
      const now = deps.now();
      const previousUntil = new Date(now.getTime() + ROTATION_OVERLAP_MS);
      const after = await repos.webhooks.updateEndpoint(
        teamId,
        endpointId,
        { secret: { current: sealSecret(deps.pepper, secret), previous: endpoint.secret.current, previousUntil } },
        now,
      );
      if (!after) throw notFound('No such webhook endpoint in this team.');
      await audit.record({ teamId, action: 'webhook.secret_rotated', actor, targetIds: [endpointId], details: { url: endpoint.url, previousSecretUntil: previousUntil } });
      return { endpoint: toEndpoint(after), secret };
    },

    /** Sends a `ping` now (even to a disabled endpoint, to check it before enabling); tried once. */
    async test(teamId: string, endpointId: string): Promise<WebhookTestResult> {
      const endpoint = await endpointOf(teamId, endpointId);
      const event = events.ping(teamId, endpointId, `evt_ping_${randomBase62(20)}`, deps.now());
      await enqueue(teamId, [endpoint], event);
      return { eventId: event.id };
    },

    async deliveries(teamId: string, endpointId: string, cursor: string | undefined, limit: number): Promise<WebhookDeliveryPage> {
      await endpointOf(teamId, endpointId);
      const page = keysetPage(await repos.webhooks.listAttempts(teamId, endpointId, positionCursor.at.decode(cursor), limit + 1), limit, positionCursor.at.encode);
      const items = page.rows.map(({ teamId: _t, endpointId: _e, messageId: _m, ...rest }) => rest);
      return { items, nextCursor: page.nextCursor };
    },
  };
}
export type WebhooksService = ReturnType<typeof webhooksService>;
