import {
  ApproveKeyRequestInput,
  CreateKeyRequestInput,
  DenyKeyRequestInput,
  KeyRequestListSchema,
  KeyRequestSchema,
  ListKeyRequestsInput,
  MyKeyRequestsInput,
} from '../../../shared/schemas/lifecycle';
import { adminProcedure, router, teamProcedure } from '../init';

/** Members ask for a key while generation is admin-only; admins answer. */
export const keyRequestsRouter = router({
  create: teamProcedure
    .input(CreateKeyRequestInput)
    .output(KeyRequestSchema)
    .mutation(({ ctx, input }) => ctx.services.keyRequests.create({ ...ctx.teamActor, role: ctx.team.role }, input)),
  /** The caller's own requests, answered or not. */
  mine: teamProcedure
    .input(MyKeyRequestsInput)
    .output(KeyRequestListSchema)
    .query(({ ctx, input }) => ctx.services.keyRequests.mine(ctx.teamActor, input.teamId)),
  list: adminProcedure
    .input(ListKeyRequestsInput)
    .output(KeyRequestListSchema)
    .query(({ ctx, input }) => ctx.services.keyRequests.list(input.teamId, input.state)),
  approve: adminProcedure
    .input(ApproveKeyRequestInput)
    .output(KeyRequestSchema)
    .mutation(({ ctx, input }) => ctx.services.keyRequests.approve(ctx.teamActor, input)),
  deny: adminProcedure
    .input(DenyKeyRequestInput)
    .output(KeyRequestSchema)
    .mutation(({ ctx, input }) => ctx.services.keyRequests.deny(ctx.teamActor, input)),
});
