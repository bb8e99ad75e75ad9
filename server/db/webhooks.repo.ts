import type { Collections } from './collections';
import type { WebhookAttemptDoc, WebhookEndpointDoc } from './webhook-docs';
import type { Position } from '../lib/pagination';
import { newestFirst } from './keyset';
import { insertOnce } from './insert-once';

/**
 * Webhook endpoints and the log of delivery attempts. The deliveries
 * themselves are outbox messages (channel `webhook`); an attempt document is
 * inserted once per attempt (its `_id` is the message id and attempt number),
 * so a retried write never logs an attempt twice.
 */
export type { WebhookAttemptDoc, WebhookEndpointDoc };

export type WebhookEndpointRecord = Omit<WebhookEndpointDoc, '_id'> & { id: string };
export type WebhookAttemptRecord = Omit<WebhookAttemptDoc, '_id'> & { id: string };

const toEndpoint = ({ _id, ...rest }: WebhookEndpointDoc): WebhookEndpointRecord => ({ id: _id, ...rest });
/** Nulls spelled out: an engine may leave a null field out of the stored document. */
const toAttempt = ({ _id, ...rest }: WebhookAttemptDoc): WebhookAttemptRecord => ({
  id: _id,
  ...rest,
  statusCode: rest.statusCode ?? null,
  error: rest.error ?? null,
  nextRetryAt: rest.nextRetryAt ?? null,
});

export type EndpointChange = Partial<Pick<WebhookEndpointDoc, 'url' | 'description' | 'events' | 'format' | 'enabled' | 'disabledReason' | 'secret' | 'failingSince'>>;

export function webhooksRepo(cols: Collections) {
  return {
    async insertEndpoint(e: WebhookEndpointRecord): Promise<void> {
      const { id, ...rest } = e;
      await cols.webhookEndpoints.insertOne({ _id: id, ...rest });
    },

    async findEndpoint(teamId: string, id: string): Promise<WebhookEndpointRecord | null> {
      const doc = await cols.webhookEndpoints.findOne({ _id: id, teamId });
      return doc ? toEndpoint(doc) : null;
    },

    /** Any team's: the delivery worker knows the endpoint only by id. */
    async findEndpointById(id: string): Promise<WebhookEndpointRecord | null> {
      const doc = await cols.webhookEndpoints.findOne({ _id: id });
      return doc ? toEndpoint(doc) : null;
    },

    async listEndpoints(teamId: string): Promise<WebhookEndpointRecord[]> {
      const docs = await cols.webhookEndpoints.find({ teamId }).sort({ createdAt: 1, _id: 1 }).toArray();
      return docs.map(toEndpoint);
    },

    /** The team's enabled endpoints subscribed to `event`. */
    async subscribers(teamId: string, event: string): Promise<WebhookEndpointRecord[]> {
      const docs = await cols.webhookEndpoints.find({ teamId, enabled: true, events: event as WebhookEndpointDoc['events'][number] }).toArray();
      return docs.map(toEndpoint);
    },

    async updateEndpoint(teamId: string, id: string, change: EndpointChange, at: Date): Promise<WebhookEndpointRecord | null> {
      await cols.webhookEndpoints.updateOne({ _id: id, teamId }, { $set: { ...change, updatedAt: at } });
      return this.findEndpoint(teamId, id);
    },

    /** Starts the failing clock unless it already runs (a race only moves it by one attempt). */
    async markFailing(id: string, at: Date): Promise<Date> {
      await cols.webhookEndpoints.updateOne({ _id: id, failingSince: null }, { $set: { failingSince: at } });
      const doc = await cols.webhookEndpoints.findOne({ _id: id }, { projection: { failingSince: 1 } });
      return doc?.failingSince ?? at;
    },

    async markHealthy(id: string): Promise<void> {
      await cols.webhookEndpoints.updateOne({ _id: id, failingSince: { $ne: null } }, { $set: { failingSince: null } });
    },

    /**
     * Turns off the team's enabled endpoints an API token added (the token leaked: whoever holds it may
     * have pointed them at themselves); returns the ones it turned off.
     */
    async disableAddedByToken(teamId: string, tokenId: string, at: Date): Promise<WebhookEndpointRecord[]> {
      const filter = { teamId, createdByToken: tokenId, enabled: true };
      const docs = await cols.webhookEndpoints.find(filter).toArray();
      if (docs.length === 0) return [];
      await cols.webhookEndpoints.updateMany({ ...filter, _id: { $in: docs.map((d) => d._id) } }, { $set: { enabled: false, disabledReason: 'token_leaked', updatedAt: at } });
      return docs.map(toEndpoint);
    },

    async deleteEndpoint(teamId: string, id: string): Promise<boolean> {
      const res = await cols.webhookEndpoints.deleteOne({ _id: id, teamId });
      return res.deletedCount === 1;
    },

    async recordAttempt(a: WebhookAttemptRecord): Promise<void> {
      const { id, ...rest } = a;
      // A retry of this write finds it already logged.
      await insertOnce(cols.webhookAttempts, id, rest);
    },

    /** Newest first, keyset-paginated on (at, _id). */
    async listAttempts(teamId: string, endpointId: string, after: Position | null, limit: number): Promise<WebhookAttemptRecord[]> {
      const page = newestFirst('at', '_id', after);
      const docs = await cols.webhookAttempts.find({ teamId, endpointId, ...page.filter }).sort(page.sort).limit(limit).toArray();
      return docs.map(toAttempt);
    },
  };
}
export type WebhooksRepo = ReturnType<typeof webhooksRepo>;
