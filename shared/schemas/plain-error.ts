import { z } from 'zod';

/**
 * An error answer of the plain routes outside the REST API (the verify API, /v1/me): `{ error, message }`.
 * The REST API answers problems instead (ProblemSchema, shared/schemas/rest.ts).
 */
export const PlainErrorSchema = z.object({ error: z.string(), message: z.string(), code: z.string().optional() });
