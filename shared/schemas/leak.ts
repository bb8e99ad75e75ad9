import { z } from 'zod';
import { TeamIdSchema } from './common';

/**
 * Leak response (issue 15): where a leaked key was found, what a team does
 * about it, and the three ways a leak reaches Keywarden.
 */
export const LeakSourceSchema = z.enum(['github', 'public_report', 'extension']);
export type LeakSource = z.infer<typeof LeakSourceSchema>;

/** What a team does with a leaked key of its own; `notify` only tells the owner and the admins. */
export const LeakResponseSchema = z.enum(['revoke', 'disable', 'notify']);
export type LeakResponse = z.infer<typeof LeakResponseSchema>;
export const DEFAULT_LEAK_RESPONSE: LeakResponse = 'revoke';

/** A key value as found (key.ts imports this module, so its KeyValueSchema is not imported back). */
const KeyValueSchema = z.string().trim().min(1, 'key is required').max(200, 'key is too long');

/** Where a leak was seen: an http(s) address, kept short. */
const LeakUrlSchema = z.string().trim().max(2048);

/** GitHub's secret-scanning partner report: a JSON array of matches. */
export const GitHubLeakReportSchema = z
  .array(
    z.object({
      token: z.string().max(1000),
      type: z.string().max(200),
      url: LeakUrlSchema.optional().default(''),
      source: z.string().max(200).optional().default(''),
    }),
  )
  .max(1000);
export type GitHubLeakReport = z.infer<typeof GitHubLeakReportSchema>;

/** GitHub's answer: one entry per reported token. */
export type GitHubLeakLabel = { token_hash: string; token_type: string; label: 'true_positive' | 'false_positive' };

/** `POST /v1/leaks/report`: anyone may report a key they found; the answer never says whether it was real. */
export const PublicLeakReportSchema = z.object({
  key: z.string().max(200),
  url: LeakUrlSchema.optional(),
  note: z.string().max(1000).optional(),
});

/** The extension's leak guard, signed in: a key it found on a page (only the key and the page's address). */
export const ReportLeakInput = z.object({ teamId: TeamIdSchema, key: KeyValueSchema, url: LeakUrlSchema.optional() });

/** What the leak guard learns about a key it found, from the user's own server. */
export const CheckLeakInput = z.object({ teamId: TeamIdSchema, key: KeyValueSchema });
export const LeakCheckSchema = z.object({
  /** The key is one of the team's (and the caller may see it: an admin, or its owner). */
  teamKey: z.boolean(),
  keyId: z.string().nullable(),
  name: z.string().nullable(),
  /** Owner or admin: may revoke it now. */
  canRevoke: z.boolean(),
  revoked: z.boolean(),
});
export type LeakCheck = z.infer<typeof LeakCheckSchema>;
/** leaks.report: taken in; what it did is not told to the reporter. */
export const LeakReceivedSchema = z.object({ received: z.literal(true) });

/** One report of a leaked key, as the key's row and detail panel show it. */
export const LeakEntrySchema = z.object({
  source: LeakSourceSchema,
  url: z.string().nullable(),
  at: z.date(),
  /** What Keywarden did: `revoked`, `disabled`, `notified`, or `none` (the key no longer worked). */
  action: z.enum(['revoked', 'disabled', 'notified', 'none']),
});
export type LeakEntry = z.infer<typeof LeakEntrySchema>;
