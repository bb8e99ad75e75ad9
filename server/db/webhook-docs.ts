import type { WebhookEvent, WebhookFormat } from '../../shared/schemas/webhook';

/** Document shapes of webhook endpoints and their delivery attempts (see webhooks.repo.ts), kept beside collections.ts. */
export interface WebhookEndpointDoc {
  _id: string;
  teamId: string;
  url: string;
  description: string | null;
  events: Exclude<WebhookEvent, 'ping'>[];
  format: WebhookFormat;
  enabled: boolean;
  /** `failing`: every delivery failed for 24 h; `token_leaked`: the API token that added it leaked. */
  disabledReason: 'failing' | 'token_leaked' | null;
  /** The API token that added it over REST (absent or null: a person did): a leak of that token turns it off. */
  createdByToken?: string | null;
  /** Signing secrets, encrypted under a key derived from the pepper (webhook-signing.ts); never plaintext at rest. */
  secret: { current: string; previous: string | null; previousUntil: Date | null };
  /** The first failed attempt since the last success: an endpoint failing for 24 h is turned off. */
  failingSince: Date | null;
  createdAt: Date;
  updatedAt: Date;
}

export interface WebhookAttemptDoc {
  _id: string;
  teamId: string;
  endpointId: string;
  messageId: string;
  eventId: string;
  event: string;
  attempt: number;
  at: Date;
  statusCode: number | null;
  durationMs: number;
  error: string | null;
  nextRetryAt: Date | null;
  outcome: 'delivered' | 'retrying' | 'failed';
}
