import { z } from 'zod';
import { EmailSchema } from './common';

export const RequestCodeInput = z.object({ email: EmailSchema });
export const VerifyCodeInput = z.object({
  email: EmailSchema,
  code: z.string().trim().regex(/^\d{6}$/, 'the code is 6 digits'),
});
