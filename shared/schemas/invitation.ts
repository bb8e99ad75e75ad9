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
export const MyInvitationListSchema = z.array(MyInvitationSchema);

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
export const TeamInvitationListSchema = z.array(TeamInvitationSchema);

/** `invitations.accept`: the team joined, with the caller's role in it (an existing member keeps theirs). */
export const AcceptedInvitationSchema = z.object({ teamId: z.string(), teamName: z.string(), role: RoleSchema });
export type AcceptedInvitation = z.infer<typeof AcceptedInvitationSchema>;
export const DeclinedInvitationSchema = z.object({ teamId: z.string(), declined: z.literal(true) });
export type DeclinedInvitation = z.infer<typeof DeclinedInvitationSchema>;
/** `invitations.resend`: the invitation's new expiry. */
export const ResentInvitationSchema = z.object({ userId: z.string(), expiresAt: z.date() });
export type ResentInvitation = z.infer<typeof ResentInvitationSchema>;
export const CancelledInvitationSchema = z.object({ userId: z.string(), cancelled: z.literal(true) });
export type CancelledInvitation = z.infer<typeof CancelledInvitationSchema>;
