import { z } from 'zod';
import { RoleSchema, TeamIdSchema, UserIdSchema } from './common';

/** How long an invitation stays open; re-adding the person re-sends it and restarts the clock. */
export const INVITATION_TTL_DAYS = 14;

/** The signed-in user answers their own invitation to a team. */
export const RespondToInvitationInput = z.object({ teamId: TeamIdSchema });

/** An admin withdraws a pending invitation of their team. */
export const CancelInvitationInput = z.object({ teamId: TeamIdSchema, userId: UserIdSchema });

/** An admin sends a pending invitation of their team again (same role, new expiry). */
export const ResendInvitationInput = CancelInvitationInput;

/** A pending invitation as its invitee sees it (`invitations.list`). */
export const MyInvitationSchema = z.object({
  teamId: z.string(),
  teamName: z.string(),
  role: RoleSchema,
  invitedBy: z.string().nullable(),
  createdAt: z.date(),
  expiresAt: z.date(),
});
export type MyInvitation = z.infer<typeof MyInvitationSchema>;

/** A pending invitation as the team's admins see it (`invitations.listForTeam`). */
export const TeamInvitationSchema = z.object({
  userId: z.string(),
  email: z.string(),
  role: RoleSchema,
  invitedBy: z.string().nullable(),
  createdAt: z.date(),
  sentAt: z.date(),
  expiresAt: z.date(),
});
export type TeamInvitation = z.infer<typeof TeamInvitationSchema>;
