import { z } from 'zod';
import { RatelimitsSchema } from './limits';
import { CursorSchema, TeamIdSchema } from './common';
import { KeyRowSchema } from './key';
import { ExternalIdSchema, IdentitySchema, MetaSchema } from './policy';

/** The identities procedures' inputs and answers (an identity itself is policy.ts's IdentitySchema). */

/** An identity as the identities procedures answer it: verify's `{ id, externalId, meta }` and its shared `ratelimits` (issue 25). */
export const TeamIdentitySchema = IdentitySchema.extend({ ratelimits: RatelimitsSchema });
export type TeamIdentity = z.infer<typeof TeamIdentitySchema>;

export const ListIdentitiesInput = z.object({ teamId: TeamIdSchema, cursor: CursorSchema, limit: z.number().int().min(1).max(100).default(50) });
export const IdentityPageSchema = z.object({ items: z.array(TeamIdentitySchema), nextCursor: z.string().nullable() });
export const GetIdentityInput = z.object({ teamId: TeamIdSchema, externalId: ExternalIdSchema });
/** identities.get: the identity and the team's keys that name it, newest first. */
export const IdentityDetailsSchema = z.object({ identity: TeamIdentitySchema, keys: z.array(KeyRowSchema) });
/** `meta` (issue 24) and the identity's shared `ratelimits` (issue 25): each optional, absent ones untouched. */
export const UpdateIdentityInput = GetIdentityInput.extend({ meta: MetaSchema.optional(), ratelimits: RatelimitsSchema.optional() });
