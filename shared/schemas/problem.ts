import { z } from 'zod';

/**
 * An error answer of the REST API (`application/problem+json`, RFC 9457). `code` is the
 * machine-readable error code (`FORBIDDEN`, `NOT_FOUND`, ...); `detail` is written for the
 * person who made the call (a missing scope names it, bad input names the field).
 */
export const ProblemSchema = z.object({
  type: z.string(),
  title: z.string(),
  status: z.number().int(),
  detail: z.string(),
  code: z.string(),
});
export type Problem = z.infer<typeof ProblemSchema>;

/** An error answer of the plain routes outside the REST API (the verify API, /v1/me): `{ error, message }`. */
export const PlainErrorSchema = z.object({ error: z.string(), message: z.string(), code: z.string().optional() });
