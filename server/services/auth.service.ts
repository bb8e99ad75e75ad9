import { randomInt } from 'node:crypto';
import { AppError } from '../errors';
import type { Deps } from '../deps';
import type { AuthRepo } from '../db/auth.repo';
import type { UsersRepo, User } from '../db/users.repo';
import { hashKey, randomToken, sha256 } from '../lib/ids';
import { signInCodeMail } from '../mail/templates/sign-in-code';
import type { AuditService } from './audit.service';
import type { TeamsService } from './teams.service';

/**
 * Sign-in by emailed one-time code. Every answer to `requestCode` is the same
 * whether or not the email is known, so the endpoint cannot enumerate accounts.
 */
export const CODE_TTL_MS = 10 * 60_000;
export const MAX_CODE_ATTEMPTS = 5;
export const SESSION_TTL_MS = 30 * 24 * 60 * 60_000;

export const REQUEST_CODE_ANSWER = { sent: true as const, message: 'If this email belongs to a Keywarden user, a sign-in code is on its way. It is valid for 10 minutes.' };

const INVALID_CODE = 'That code is not valid. Check the latest email or request a new code.';

export function authService(deps: Deps, repos: { auth: AuthRepo; users: UsersRepo }, teams: TeamsService, audit: AuditService) {
  const emailHash = (email: string) => sha256(`email:${email}`);
  // The code hash is peppered: a database dump alone cannot brute-force 6 digits.
  const codeHash = (email: string, code: string) => hashKey(deps.pepper, `code:${email}:${code}`);

  async function enforceLimit(kind: string, subject: string, limit: number) {
    const windowMs = deps.config.authCodeWindowMinutes * 60_000;
    const now = deps.now().getTime();
    const windowStart = now - (now % windowMs);
    const bucket = `${kind}:${sha256(subject)}:${windowStart}`;
    const windowEnd = new Date(windowStart + windowMs);
    if (!(await repos.auth.takeSlot(bucket, limit, windowEnd))) {
      throw new AppError('TOO_MANY_REQUESTS', `Too many sign-in code requests. Try again in ${Math.ceil((windowStart + windowMs - now) / 60_000)} minutes.`);
    }
  }

  return {
    async requestCode(email: string, ip: string | null): Promise<typeof REQUEST_CODE_ANSWER> {
      await enforceLimit('code-email', email, deps.config.authCodeLimitPerEmail);
      if (ip) await enforceLimit('code-ip', ip, deps.config.authCodeLimitPerIp);
      const user = await repos.users.findByEmail(email);
      const code = String(randomInt(0, 1_000_000)).padStart(6, '0');
      const now = deps.now();
      // Stored for unknown emails too, so both answers cost the same; such a code can never sign anyone in.
      await repos.auth.putLoginCode({ emailHash: emailHash(email), codeHash: codeHash(email, code), createdAt: now, expiresAt: new Date(now.getTime() + CODE_TTL_MS) });
      if (!user) return REQUEST_CODE_ANSWER;
      // Not awaited: the answer must not take longer for a known email than for an unknown one.
      deps.mailer.send({ to: email, ...signInCodeMail({ code, email, publicUrl: deps.config.publicUrl }) }).catch((err) => deps.log.error(`sign-in code mail to a user failed`, err));
      return REQUEST_CODE_ANSWER;
    },

    async verifyCode(email: string, code: string, meta: { ip: string | null; userAgent: string | null }) {
      const id = emailHash(email);
      const stored = await repos.auth.findLoginCode(id);
      if (!stored || stored.expiresAt <= deps.now()) throw new AppError('UNAUTHORIZED', INVALID_CODE);
      // Every attempt, right or wrong, takes one of 5 slots first: parallel guesses cannot share a slot.
      const slots = `attempt:${id}:${stored.createdAt.getTime()}`;
      if (!(await repos.auth.takeSlot(slots, MAX_CODE_ATTEMPTS, stored.expiresAt, stored.attempts))) {
        throw new AppError('TOO_MANY_REQUESTS', 'Too many wrong codes. Request a new code.');
      }
      const hash = codeHash(email, code);
      if (hash !== stored.codeHash || !(await repos.auth.consumeLoginCode(id, hash))) {
        await repos.auth.noteAttempt(id, stored.createdAt);
        throw new AppError('UNAUTHORIZED', INVALID_CODE);
      }
      const user = await repos.users.findByEmail(email);
      if (!user) throw new AppError('UNAUTHORIZED', INVALID_CODE);
      const token = randomToken();
      const now = deps.now();
      await repos.auth.insertSession({ tokenHash: sha256(token), userId: user.id, createdAt: now, expiresAt: new Date(now.getTime() + SESSION_TTL_MS) });
      const memberOf = await teams.teamsOf(user.id);
      for (const team of memberOf) {
        await audit.record({ teamId: team.teamId, action: 'auth.sign_in', actor: { userId: user.id, email: user.email, role: team.role, ...meta }, targetIds: [user.id] });
      }
      return { token, user: publicUser(user), teams: memberOf };
    },

    async resolveSession(token: string | null): Promise<{ user: User; tokenHash: string } | null> {
      if (!token || token.length > 200) return null;
      const tokenHash = sha256(token);
      const session = await repos.auth.findSession(tokenHash);
      if (!session || session.expiresAt <= deps.now()) return null;
      const user = await repos.users.findById(session.userId);
      return user ? { user, tokenHash } : null;
    },

    async me(user: User) {
      return { user: publicUser(user), teams: await teams.teamsOf(user.id) };
    },

    async logout(tokenHash: string): Promise<{ ok: true }> {
      await repos.auth.deleteSession(tokenHash);
      return { ok: true };
    },
  };
}
export type AuthService = ReturnType<typeof authService>;

export function publicUser(user: User) {
  return { id: user.id, email: user.email, name: user.name };
}
