import { AuditListInput, AuditPageSchema } from '../../../shared/schemas/audit';
import { adminProcedure, router } from '../init';

export const auditRouter = router({
  list: adminProcedure
    .input(AuditListInput)
    .output(AuditPageSchema)
    .query(({ ctx, input }) => ctx.services.audit.list(input.teamId, input.cursor, input.limit)),
});
