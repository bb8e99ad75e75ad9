import { z } from 'zod';

/**
 * Rate limits and credits of a key (issue 25): what an admin sets on a key or identity, what verify
 * takes and answers. One schema per concept; the server and the extension's forms both use these.
 */

export const MAX_RATELIMITS = 5;
export const MIN_DURATION_MS = 1000;
export const MAX_DURATION_MS = 86_400_000;
export const MAX_VERIFY_COST = 1000;

export const RatelimitNameSchema = z
  .string()
  .min(1, 'a rate limit name is 1 to 32 characters')
  .max(32, 'a rate limit name is 1 to 32 characters')
  .regex(/^[a-z0-9_-]+$/, 'a rate limit name uses only a-z, 0-9, _ and -');

export const RatelimitSchema = z.object({
  name: RatelimitNameSchema,
  limit: z.number().int('limit must be a whole number').min(1, 'limit is at least 1'),
  durationMs: z
    .number()
    .int('durationMs must be a whole number')
    .min(MIN_DURATION_MS, `durationMs is at least ${MIN_DURATION_MS}`)
    .max(MAX_DURATION_MS, `durationMs is at most ${MAX_DURATION_MS} (a day)`),
  /** Applied to every verify of the key; otherwise only when the verify names it. */
  autoApply: z.boolean().default(true),
});
export type Ratelimit = z.infer<typeof RatelimitSchema>;

export const RatelimitsSchema = z
  .array(RatelimitSchema)
  .max(MAX_RATELIMITS, `at most ${MAX_RATELIMITS} rate limits`)
  .refine((ls) => new Set(ls.map((l) => l.name)).size === ls.length, 'rate limit names must be unique');

export const RefillIntervalSchema = z.enum(['daily', 'monthly']);
export type RefillInterval = z.infer<typeof RefillIntervalSchema>;

export const RefillSchema = z
  .object({
    amount: z.number().int('amount must be a whole number').min(1, 'amount is at least 1'),
    interval: RefillIntervalSchema,
    /** Monthly only: the day of the month (clamped to the month's length), at 00:00 UTC. Default 1. */
    refillDay: z.number().int().min(1, 'refillDay is 1 to 31').max(31, 'refillDay is 1 to 31').optional(),
  })
  .refine((r) => r.interval === 'monthly' || r.refillDay === undefined, { message: 'refillDay is for monthly refills', path: ['refillDay'] });
export type Refill = z.infer<typeof RefillSchema>;

export const CreditsSchema = z.object({
  remaining: z.number().int('remaining must be a whole number').min(0, 'remaining is at least 0'),
  refill: RefillSchema.nullable().default(null),
});
export type Credits = z.infer<typeof CreditsSchema>;

/** What a key carries (in keys.create, keys.update, every row, the CSV and GET /v1/me). */
export const KeyLimitsSchema = z.object({
  ratelimits: RatelimitsSchema,
  credits: CreditsSchema.nullable(),
});
export type KeyLimits = z.infer<typeof KeyLimitsSchema>;

/** The optional inputs of keys.create and keys.update (admins only). */
export const KeyLimitsInput = z.object({
  ratelimits: RatelimitsSchema.optional(),
  credits: CreditsSchema.nullable().optional(),
});
export type KeyLimitsInput = z.infer<typeof KeyLimitsInput>;

/** The verify request's additions. */
export const VerifyLimitsRequestSchema = z.object({
  cost: z.number().int('cost must be a whole number').min(0, 'cost is 0 to 1000').max(MAX_VERIFY_COST, 'cost is 0 to 1000').optional(),
  ratelimits: z
    .array(z.object({ name: RatelimitNameSchema, cost: z.number().int().min(0).max(MAX_VERIFY_COST).optional() }))
    .max(MAX_RATELIMITS * 2, 'at most 10 rate limits per verify')
    .optional(),
});
export type VerifyLimitsRequest = z.infer<typeof VerifyLimitsRequestSchema>;

/** One applied limit in a verify answer; `reset` is epoch milliseconds when its window frees up. */
export const RatelimitStateSchema = z.object({ name: z.string(), limit: z.number(), remaining: z.number(), reset: z.number() });
export type RatelimitState = z.infer<typeof RatelimitStateSchema>;

export const CreditsStateSchema = z.object({ remaining: z.number() }).nullable();
export type CreditsState = z.infer<typeof CreditsStateSchema>;
