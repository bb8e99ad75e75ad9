import {
  WebhookCreateInput,
  WebhookDeletedSchema,
  WebhookDeliveriesInput,
  WebhookDeliveryPageSchema,
  WebhookEndpointInput,
  WebhookEndpointListSchema,
  WebhookEndpointSchema,
  WebhookListInput,
  WebhookTestResultSchema,
  WebhookUpdateInput,
  WebhookWithSecretSchema,
} from '../../../shared/schemas/webhook';
import { adminProcedure, router } from '../init';

/** A team's webhook endpoints: admins only (the builder answers FORBIDDEN to members). */
export const webhooksRouter = router({
  list: adminProcedure
    .input(WebhookListInput)
    .output(WebhookEndpointListSchema)
    .query(({ ctx, input }) => ctx.services.webhooks.list(input.teamId)),
  create: adminProcedure
    .input(WebhookCreateInput)
    .output(WebhookWithSecretSchema)
    .mutation(({ ctx, input }) => ctx.services.webhooks.create(ctx.teamActor, input)),
  update: adminProcedure
    .input(WebhookUpdateInput)
    .output(WebhookEndpointSchema)
    .mutation(({ ctx, input }) => ctx.services.webhooks.update(ctx.teamActor, input)),
  delete: adminProcedure
    .input(WebhookEndpointInput)
    .output(WebhookDeletedSchema)
    .mutation(({ ctx, input }) => ctx.services.webhooks.delete(ctx.teamActor, input.teamId, input.endpointId)),
  rotateSecret: adminProcedure
    .input(WebhookEndpointInput)
    .output(WebhookWithSecretSchema)
    .mutation(({ ctx, input }) => ctx.services.webhooks.rotateSecret(ctx.teamActor, input.teamId, input.endpointId)),
  test: adminProcedure
    .input(WebhookEndpointInput)
    .output(WebhookTestResultSchema)
    .mutation(({ ctx, input }) => ctx.services.webhooks.test(input.teamId, input.endpointId)),
  deliveries: adminProcedure
    .input(WebhookDeliveriesInput)
    .output(WebhookDeliveryPageSchema)
    .query(({ ctx, input }) => ctx.services.webhooks.deliveries(input.teamId, input.endpointId, input.cursor, input.limit)),
});
