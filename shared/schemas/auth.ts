import { z } from 'zod';
import { EmailSchema } from './common';
import { MyTeamSchema } from './team';

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

/** `requestCode`'s answer: the same for a known and an unknown email. */
export const RequestCodeResultSchema = z.object({ sent: z.literal(true), message: z.string(), attemptId: z.string() });
export type RequestCodeResult = z.infer<typeof RequestCodeResultSchema>;

/** A user as clients see them (themselves, after sign-in). */
export const PublicUserSchema = z.object({ id: z.string(), email: z.string(), name: z.string() });
export type PublicUser = z.infer<typeof PublicUserSchema>;

/** `auth.me`: who is signed in, and the teams they are a member of. */
export const MeSchema = z.object({ user: PublicUserSchema, teams: z.array(MyTeamSchema) });
export type Me = z.infer<typeof MeSchema>;

/** `verifyCode`: the new session's token and the browser's next device token, with `auth.me`'s answer. */
export const SignInResultSchema = MeSchema.extend({ token: z.string(), deviceToken: z.string() });
export type SignInResult = z.infer<typeof SignInResultSchema>;

export const LogoutResultSchema = z.object({ ok: z.literal(true) });
export type LogoutResult = z.infer<typeof LogoutResultSchema>;
