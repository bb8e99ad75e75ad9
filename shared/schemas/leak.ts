import { z } from 'zod';
import { CONTROL_OR_BIDI, TeamIdSchema } from './common';

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

/** The longest address of where a leak was seen that is kept. */
export const MAX_LEAK_URL_LENGTH = 2048;

/** Bidi marks, beside the controls and overrides CONTROL_OR_BIDI already covers. */
const BIDI_MARK = /[\u061C\u200E\u200F]/;

/** `text` as an http(s) URL written the way the URL parser writes it, or undefined. */
function httpUrl(text: string): string | undefined {
  // Checked before parsing: the parser would quietly drop a CR, LF or tab, not refuse it.
  if (CONTROL_OR_BIDI.test(text) || BIDI_MARK.test(text)) return undefined;
  const trimmed = text.trim();
  if (trimmed.length > MAX_LEAK_URL_LENGTH || !URL.canParse(trimmed)) return undefined;
  const url = new URL(trimmed);
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return undefined;
  return url.href.length <= MAX_LEAK_URL_LENGTH ? url.href : undefined;
}

/**
 * Where a leak was seen, as its reporter (anyone, for the public report) says: kept only as an
 * http(s) URL of at most 2,048 characters without control or bidi characters, in the parser's
 * percent-encoded form, so it cannot carry forged text into an admin's email, a key's row, the
 * audit log or a CSV. Anything else is dropped, never refused: that a key leaked matters more
 * than where, and the public report's answer must not depend on what was sent.
 */
const LeakUrlSchema = z.string().transform(httpUrl).optional().catch(undefined);

/** GitHub's secret-scanning partner report: a JSON array of matches. */
export const GitHubLeakReportSchema = z
  .array(
    z.object({
      token: z.string().max(1000),
      type: z.string().max(200),
      url: LeakUrlSchema,
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
  url: LeakUrlSchema,
  note: z.string().max(1000).optional(),
});

/** The extension's leak guard, signed in: a key it found on a page (only the key and the page's address). */
export const ReportLeakInput = z.object({ teamId: TeamIdSchema, key: KeyValueSchema, url: LeakUrlSchema });

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
