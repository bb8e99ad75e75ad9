import { z } from 'zod';
import { TeamIdSchema } from './common';
import { RoleNameSchema, RoleSchema } from './policy';

/** The roles procedures' inputs and answers (a role itself is policy.ts's RoleSchema). */
export const ListRolesInput = z.object({ teamId: TeamIdSchema });
export const UpsertRoleInput = RoleSchema.extend({ teamId: TeamIdSchema });
export const DeleteRoleInput = z.object({ teamId: TeamIdSchema, name: RoleNameSchema });
export const RoleListSchema = z.array(RoleSchema);
