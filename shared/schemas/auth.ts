import { z } from 'zod';
import { EmailSchema } from './common';

/**
 * The server's random secrets a client hands back (a sign-in attempt, a device token): base64url,
 * 16 or 32 random bytes. Only their hashes are stored.
 */
const ClientSecretSchema = (what: string) => z.string().regex(/^[A-Za-z0-9_-]{20,64}$/, `not a valid ${what}`);

/** `deviceToken`: the one `verifyCode` gave this browser at its last sign-in as this email (README, Sign-in security). */
export const RequestCodeInput = z.object({ email: EmailSchema, deviceToken: ClientSecretSchema('device token').optional() });
/**
 * Sign-in codes: 8 characters of Crockford's base32 (32^8 ≈ 1.1 × 10^12 values; see
 * README, Sign-in security), shown as `ABCD-EFGH`. Typing is forgiving: case,
 * spaces and dashes do not matter, and O/I/L read as 0/1/1.
 */
export const SIGN_IN_CODE_ALPHABET = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';
export const SIGN_IN_CODE_LENGTH = 8;

export const normalizeSignInCode = (raw: string) =>
  raw.replace(/[\s-]/g, '').toUpperCase().replace(/O/g, '0').replace(/[IL]/g, '1');

export const SignInCodeSchema = z
  .string()
  .max(32)
  .transform(normalizeSignInCode)
  .pipe(z.string().regex(/^[0-9A-HJKMNP-TV-Z]{8}$/, 'the code is the 8 letters and digits from the email, like ABCD-1234'));

/** `attemptId`: what `requestCode` answered; the emailed code works only with it. */
export const VerifyCodeInput = z.object({
  email: EmailSchema,
  code: SignInCodeSchema,
  attemptId: ClientSecretSchema('sign-in attempt'),
});
