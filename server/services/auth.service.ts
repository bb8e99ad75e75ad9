import { randomInt } from 'node:crypto';
import { SIGN_IN_CODE_ALPHABET, SIGN_IN_CODE_LENGTH, type LogoutResult, type Me, type PublicUser, type RequestCodeResult, type SignInResult } from '../../shared/schemas/auth';
import { AppError } from '../errors';
import type { Deps } from '../deps';
import type { AuthRepo } from '../db/auth.repo';
import type { UsersRepo, User } from '../db/users.repo';
import { hashKey, randomToken, safeEqual, sha256 } from '../lib/ids';
import { formatWhen } from '../mail/templates/key-notice-params';
import { signInCodeMail } from '../mail/templates/sign-in-code';
import { signInPausedMail } from '../mail/templates/sign-in-paused';
import type { AuditService } from './audit.service';
import type { TeamsService } from './teams.service';
import { DAY_MS } from '../../shared/time';

/**
 * Sign-in by emailed one-time code. Every answer to `requestCode` is the same
 * whether or not the email is known, so the endpoint cannot enumerate accounts.
 *
 * A stranger can neither block nor guess it (README, "Sign-in security"): each code
 * belongs to one attempt, whose id only the requester holds, so nobody else's guess
 * reaches it; a new code never replaces one already emailed; requests are counted
 * per email and address, per email, and per address, but a browser holding a device
 * token from its last sign-in as the email is counted per token instead, so a
 * stranger spending the email's share cannot refuse it; and every check of a guess
 * from a browser without one takes a unit of the email's daily ceiling, which
 * bounds a year's guessing at any rate, from any number of addresses.
 */
export const CODE_TTL_MS = 10 * 60_000;
export const MAX_CODE_ATTEMPTS = 5;
export const SESSION_TTL_MS = 30 * DAY_MS;
/** A device token lives this long from the sign-in that gave it; each sign-in replaces it. */
export const DEVICE_TTL_MS = 365 * DAY_MS;
/** Requests per window for one device token: generous for a person, yet not a way to flood the inbox. */
export const DEVICE_REQUEST_LIMIT = 20;

const REQUEST_CODE_MESSAGE = 'If this email belongs to a Keywarden user, a sign-in code is on its way. It is valid for 10 minutes.';

const INVALID_CODE = 'That code is not valid. Check the latest email or request a new code.';
const USE_A_SENT_CODE = 'Use a code already emailed (each is valid for 10 minutes)';
const REQUEST_LIMITS = {
  'code-email-ip': (minutes: number) => `Too many sign-in codes were requested for this email from your address. ${USE_A_SENT_CODE}, or try again in ${minutes} minutes.`,
  'code-ip': (minutes: number) => `Too many sign-in code requests from your address. Try again in ${minutes} minutes.`,
  'code-email': (minutes: number) => `Too many sign-in codes were requested for this email. ${USE_A_SENT_CODE}, or try again in ${minutes} minutes.`,
  'code-device': (minutes: number) => `Too many sign-in codes were requested from this browser. ${USE_A_SENT_CODE}, or try again in ${minutes} minutes.`,
};

export function authService(deps: Deps, repos: { auth: AuthRepo; users: UsersRepo }, teams: TeamsService, audit: AuditService) {
  const emailHash = (email: string) => sha256(`email:${email}`);
  // The code hash is peppered: a database dump alone cannot brute-force the code space.
  const codeHash = (email: string, code: string) => hashKey(deps.pepper, `code:${email}:${code}`);
  const newCode = () => Array.from({ length: SIGN_IN_CODE_LENGTH }, () => SIGN_IN_CODE_ALPHABET[randomInt(SIGN_IN_CODE_ALPHABET.length)]).join('');
  const failedLimit = deps.config.authCodeFailedLimitPerDay;

  async function enforceLimit(kind: keyof typeof REQUEST_LIMITS, subject: string, limit: number) {
    const windowMs = deps.config.authCodeWindowMinutes * 60_000;
    const now = deps.now().getTime();
    const windowStart = now - (now % windowMs);
    const bucket = `${kind}:${sha256(subject)}:${windowStart}`;
    const windowEnd = new Date(windowStart + windowMs);
    if (!(await repos.auth.takeFromBucket(bucket, limit, windowEnd))) {
      throw new AppError('TOO_MANY_REQUESTS', REQUEST_LIMITS[kind](Math.ceil((windowStart + windowMs - now) / 60_000)));
    }
  }

  /** The email's failed-check ceiling for the current UTC day. */
  function failedToday(id: string) {
    const now = deps.now().getTime();
    const dayStart = now - (now % DAY_MS);
    return { bucket: `code-failed:${id}:${dayStart}`, until: new Date(dayStart + DAY_MS) };
  }

  /** Tells the owner, once per day, that their sign-in by code is paused (a failed send is retried by the next refusal). */
  function notifyPaused(email: string, id: string, until: Date): void {
    void (async () => {
      if (!(await repos.users.findByEmail(email))) return;
      const mark = `code-paused-mail:${id}:${until.getTime()}`;
      if (!(await repos.auth.takeFromBucket(mark, 1, until))) return;
      const mail = signInPausedMail({ email, failedLimit, until, publicUrl: deps.config.publicUrl });
      await deps.mailer.send({ to: email, ...mail, idempotencyKey: `sign-in-paused-${id.slice(0, 24)}-${until.getTime()}` }).catch(async (err) => {
        await repos.auth.returnToBucket(mark);
        throw err;
      });
    })().catch((err) => deps.log.error('sign-in paused mail to a user failed', err));
  }

  /** The answer while the ceiling is hit. The mail is not awaited: known and unknown emails are answered alike. */
  function paused(email: string, id: string, until: Date): AppError {
    notifyPaused(email, id, until);
    return new AppError(
      'TOO_MANY_REQUESTS',
      `Too many wrong sign-in codes were entered for this email today. To protect the account, sign-in by code is paused until ${formatWhen(until)}, even with the right code, except from a browser that has signed in as this email before.`,
    );
  }

  return {
    async requestCode(email: string, ip: string | null, deviceToken?: string): Promise<RequestCodeResult> {
      const id = emailHash(email);
      const now = deps.now();
      // A token that is unknown, expired or of another email is no token: the request is counted like any other.
      const presented = deviceToken ? sha256(deviceToken) : null;
      const deviceHash = presented && (await repos.auth.isDeviceOf(presented, id, now)) ? presented : null;
      if (!deviceHash) {
        const today = failedToday(id);
        // A code could not be used before the pause ends, so none is sent.
        if (await repos.auth.bucketIsFull(today.bucket, failedLimit)) throw paused(email, id, today.until);
      }
      // The narrowest limit first: a caller over it takes nothing from the limits others share.
      if (deviceHash) await enforceLimit('code-device', deviceHash, DEVICE_REQUEST_LIMIT);
      else if (ip) await enforceLimit('code-email-ip', `${email}\n${ip}`, deps.config.authCodeLimitPerEmailIp);
      if (ip) await enforceLimit('code-ip', ip, deps.config.authCodeLimitPerIp);
      if (!deviceHash) await enforceLimit('code-email', email, deps.config.authCodeLimitPerEmail);
      const user = await repos.users.findByEmail(email);
      const code = newCode();
      // 128 random bits, stored only hashed: the attempt id is what lets its holder, and nobody else, try the code.
      const attemptId = randomToken(16);
      // Stored for unknown emails too, so both answers cost the same; such a code can never sign anyone in.
      await repos.auth.insertAttempt({ attemptHash: sha256(attemptId), emailHash: id, codeHash: codeHash(email, code), deviceHash, createdAt: now, expiresAt: new Date(now.getTime() + CODE_TTL_MS) });
      const answer = { sent: true as const, message: REQUEST_CODE_MESSAGE, attemptId };
      if (!user) return answer;
      // Not awaited: the answer must not take longer for a known email than for an unknown one.
      deps.mailer.send({ to: email, ...signInCodeMail({ code: `${code.slice(0, 4)}-${code.slice(4)}`, email, publicUrl: deps.config.publicUrl }) }).catch((err) => deps.log.error(`sign-in code mail to a user failed`, err));
      return answer;
    },

    async verifyCode(input: { email: string; code: string; attemptId: string }, meta: { ip: string | null; userAgent: string | null }): Promise<SignInResult> {
      const { email } = input;
      const id = emailHash(email);
      const attemptHash = sha256(input.attemptId);
      // The attempt's check first: a guess without its attempt id reaches no code and takes nothing.
      const attempt = await repos.auth.takeCheck(attemptHash, id, deps.now(), MAX_CODE_ATTEMPTS);
      if (attempt === 'unknown') throw new AppError('UNAUTHORIZED', INVALID_CODE);
      if (attempt === 'spent') throw new AppError('TOO_MANY_REQUESTS', 'Too many wrong codes. Request a new code.');
      // Asked without a device token: the check also takes a unit of the email's daily ceiling, before the comparison.
      const today = attempt.deviceHash ? null : failedToday(id);
      if (today && !(await repos.auth.takeFromBucket(today.bucket, failedLimit, today.until))) throw paused(email, id, today.until);
      if (!safeEqual(attempt.codeHash, codeHash(email, input.code)) || !(await repos.auth.consumeAttempt(attemptHash))) {
        if (today && (await repos.auth.bucketIsFull(today.bucket, failedLimit))) notifyPaused(email, id, today.until);
        throw new AppError('UNAUTHORIZED', INVALID_CODE);
      }
      // A sign-in gives its check back: the ceiling counts failed guesses only.
      if (today) await repos.auth.returnToBucket(today.bucket);
      const user = await repos.users.findByEmail(email);
      if (!user) throw new AppError('UNAUTHORIZED', INVALID_CODE);
      const token = randomToken();
      const now = deps.now();
      await repos.auth.insertSession({ tokenHash: sha256(token), userId: user.id, createdAt: now, expiresAt: new Date(now.getTime() + SESSION_TTL_MS) });
      // Each sign-in gives the browser a new device token in place of the one it asked with.
      const deviceToken = randomToken();
      await repos.auth.insertDeviceToken({ tokenHash: sha256(deviceToken), emailHash: id, createdAt: now, expiresAt: new Date(now.getTime() + DEVICE_TTL_MS) });
      if (attempt.deviceHash) await repos.auth.deleteDeviceToken(attempt.deviceHash);
      // From now on, adding this user to a team takes their consent (an invitation).
      await repos.users.markSignedIn(user.id, now);
      // Memberships only: a team that has merely invited the user learns nothing of their sign-ins.
      const memberOf = await teams.teamsOf(user.id);
      for (const team of memberOf) {
        await audit.record({ teamId: team.teamId, action: 'auth.sign_in', actor: { userId: user.id, email: user.email, role: team.role, ...meta }, targetIds: [user.id] });
      }
      return { token, deviceToken, user: publicUser(user), teams: memberOf };
    },

    async resolveSession(token: string | null): Promise<{ user: User; tokenHash: string } | null> {
      if (!token || token.length > 200) return null;
      const tokenHash = sha256(token);
      const session = await repos.auth.findSession(tokenHash);
      if (!session || session.expiresAt <= deps.now()) return null;
      const user = await repos.users.findById(session.userId);
      return user ? { user, tokenHash } : null;
    },

    async me(user: User): Promise<Me> {
      return { user: publicUser(user), teams: await teams.teamsOf(user.id) };
    },

    /** Drops expired sessions, attempts, device tokens and rate-limit counters (a background job). */
    purgeExpired: () => repos.auth.purgeExpired(deps.now()),

    async logout(tokenHash: string): Promise<LogoutResult> {
      await repos.auth.deleteSession(tokenHash);
      return { ok: true };
    },
  };
}
export type AuthService = ReturnType<typeof authService>;

export function publicUser(user: User): PublicUser {
  return { id: user.id, email: user.email, name: user.name };
}
