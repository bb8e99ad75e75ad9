import { z } from 'zod';
import { PublicIdSchema, TeamIdSchema, UserIdSchema } from './common';
import { AuditListInput } from './audit';
import { CreateKeyInput, KeyFilters, KeyIdsInput, KeySortSchema, ListKeysInput, UpdateKeyInput } from './key';
import { UsageOverviewInput } from './usage';
import { WebhookCreateInput, WebhookDeliveriesInput, WebhookEndpointInput, WebhookUpdateInput } from './webhook';

/**
 * The REST API's inputs, made from the tRPC inputs they mirror (so a rule lives in one schema),
 * with query strings read as strings: lists comma-separated, numbers as digits. Path parameters
 * are validated here too; the team comes from the path, never from a body.
 */

/** RFC 9457 problem details: every failure of a REST route (`application/problem+json`). */
export const ProblemSchema = z.object({
  type: z.string(),
  title: z.string(),
  status: z.number().int(),
  detail: z.string(),
  /** The error code, as tRPC names it (`NOT_FOUND`, `FORBIDDEN`, …). */
  code: z.string(),
  /** On a 400: each input field that failed, and why. */
  errors: z.array(z.object({ path: z.string(), message: z.string() })).optional(),
});
export type Problem = z.infer<typeof ProblemSchema>;

export const TeamPathParams = z.object({ teamId: TeamIdSchema });
export const KeyPathParams = TeamPathParams.extend({ keyId: PublicIdSchema });

const commaList = z.string().transform((s) => s.split(',').map((part) => part.trim()).filter(Boolean));
const digits = z.string().regex(/^\d+$/, 'must be a whole number').transform(Number);

/** `GET keys`: the list's filters (KeyFilters) and paging (ListKeysInput); `view` defaults to every status. */
export const ListKeysQuery = z.object({
  view: commaList.pipe(KeyFilters.shape.view).optional(),
  search: KeyFilters.shape.search,
  generatedBy: commaList.pipe(KeyFilters.shape.generatedBy.unwrap()).optional(),
  idleDays: digits.pipe(KeyFilters.shape.idleDays.unwrap()).optional(),
  sort: KeySortSchema.optional(),
  cursor: ListKeysInput.shape.cursor,
  limit: digits.pipe(ListKeysInput.shape.limit.unwrap()).optional(),
});

/**
 * REST bodies refuse fields they do not know: a script's typo (`restriction`, `expires_in_days`)
 * must be a 400 naming it, not a key left unrestricted or without an expiry.
 */

/** `POST keys`: keys.create's fields (its rules applied in full by the handler) and `ownerId`, a member of the team. */
export const CreateKeyBody = z
  .object(CreateKeyInput.shape)
  .omit({ teamId: true })
  .extend({ ownerId: UserIdSchema.optional().describe("The key's owner, a member of the team; default the token's creator.") })
  .strict();

/** `PATCH keys/{keyId}`: the fields of keys.update, policy and limits (absent: unchanged). */
export const UpdateKeyBody = UpdateKeyInput.omit({ teamId: true, keyId: true }).strict();

/** `POST keys/revoke`. */
export const RevokeKeysBody = KeyIdsInput.omit({ teamId: true }).strict();

/** `GET audit`. */
export const AuditQuery = z.object({ cursor: AuditListInput.shape.cursor, limit: digits.pipe(AuditListInput.shape.limit.unwrap()).optional() });

/** `GET usage`. */
export const UsageQuery = z.object({ range: UsageOverviewInput.shape.range });

/** `…/webhooks/{endpointId}`. */
export const WebhookPathParams = WebhookEndpointInput;

/** `POST webhooks`: webhooks.create's fields. */
export const CreateWebhookBody = WebhookCreateInput.omit({ teamId: true }).strict();

/** `PATCH webhooks/{endpointId}`: webhooks.update's fields (absent: unchanged). */
export const UpdateWebhookBody = WebhookUpdateInput.omit({ teamId: true, endpointId: true }).strict();

/** `GET webhooks/{endpointId}/deliveries`. */
export const WebhookDeliveriesQuery = z.object({ cursor: WebhookDeliveriesInput.shape.cursor, limit: digits.pipe(WebhookDeliveriesInput.shape.limit.unwrap()).optional() });
