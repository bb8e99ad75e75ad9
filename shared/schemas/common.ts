import { z } from 'zod';

/** Public ids are random base62 strings with a type prefix (`key_…`, `team_…`, `usr_…`). */
export const PublicIdSchema = z.string().trim().min(4, 'id is too short').max(64, 'id is too long').regex(/^[a-z]+_[0-9A-Za-z]+$/, 'not a valid id');
export const TeamIdSchema = PublicIdSchema;
export const UserIdSchema = PublicIdSchema;

export const RoleSchema = z.enum(['super_admin', 'admin', 'member']);
export type Role = z.infer<typeof RoleSchema>;

export const EmailSchema = z.string().trim().toLowerCase().pipe(z.email('not a valid email address')).pipe(z.string().max(254));

export const TeamInput = z.object({ teamId: TeamIdSchema });

export const CursorSchema = z.string().max(512).optional();

export function isAdminRole(role: Role): boolean {
  return role === 'admin' || role === 'super_admin';
}
