import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTeam, errorCode, startTestServer, trpcClient, type TestServer } from '../helpers/harness';
import { SIGN_IN_CODE_IN_TEXT, startSmtpSink, type SmtpSink } from '../helpers/smtp-sink';

/**
 * Sign-in that a stranger can neither block nor guess: requests from other addresses
 * leave the owner's codes and share alone, and wrong guesses from anywhere stop at a
 * daily ceiling per email. Requests come "from" addresses through X-Forwarded-For
 * (TRUST_PROXY), the way a server behind a proxy sees them.
 */
const MAIL_DEADLINE_MS = 30_000;
const FAILED_LIMIT = 2;

let smtp: SmtpSink;
/** The shipped request limits (3 per email and address, 10 per email, 30 per address, per 15 minutes). */
let server: TestServer;
/** A small daily ceiling, so tests can reach it. */
let ceiling: TestServer;

beforeAll(async () => {
  smtp = await startSmtpSink();
  [server, ceiling] = await Promise.all([
    startTestServer({ label: 'authabuse', smtpUrl: smtp.url, env: { TRUST_PROXY: 'true' } }),
    startTestServer({ label: 'authceiling', smtpUrl: smtp.url, env: { TRUST_PROXY: 'true', AUTH_CODE_LIMIT_PER_IP: '1000', AUTH_CODE_FAILED_LIMIT_PER_DAY: String(FAILED_LIMIT) } }),
  ]);
});
afterAll(async () => {
  await Promise.all([server?.close(), ceiling?.close()]);
  await smtp.stop();
});

/**
 * Runs the server's clock from `at` (a few minutes into a 15-minute window, far from a
 * day's end), so no window or day boundary falls inside a test.
 */
function clockFrom(target: TestServer, at: number) {
  const started = Date.now();
  target.deps.now = () => new Date(at + (Date.now() - started));
}
const noon = (day: number) => Date.UTC(2031, 0, day, 12, 2);

const from = (target: TestServer, ip: string) => trpcClient(target.url, null, { 'x-forwarded-for': ip });
const codeMails = (email: string) => smtp.to(email).filter((m) => /sign-in code/i.test(m.subject ?? ''));
const pausedMails = (email: string) => smtp.to(email).filter((m) => /Someone is trying to sign in/.test(m.subject ?? ''));
const codeOf = (mail: { text?: string }) => SIGN_IN_CODE_IN_TEXT.exec(mail.text ?? '')![1]!;
/** A wrong guess: none of `codes`. */
const wrongFor = (codes: string[], i = 0) => {
  let n = i;
  while (codes.map((c) => c.replace('-', '')).includes(String(n).padStart(8, '0'))) n += 1_000;
  return String(n).padStart(8, '0');
};

/** Requests a code from `ip` and returns its attempt id with the code, read from the email. */
async function requestCode(target: TestServer, email: string, ip: string, deviceToken?: string): Promise<{ attemptId: string; code: string }> {
  const before = codeMails(email).length;
  const { attemptId } = await from(target, ip).auth.requestCode.mutate({ email, deviceToken });
  await smtp.waitFor(() => codeMails(email).length > before, MAIL_DEADLINE_MS);
  return { attemptId, code: codeOf(codeMails(email).at(-1)!) };
}

/** Waits for `count` pause notices, then proves no more follow: a later mail arrives, and still only `count`. */
async function expectPausedMails(target: TestServer, email: string, count = 1) {
  await expect.poll(() => pausedMails(email).length, { timeout: MAIL_DEADLINE_MS }).toBeGreaterThanOrEqual(count);
  const sentinel = `sentinel ${Math.random()}`;
  await target.deps.mailer.send({ to: email, subject: sentinel, text: sentinel });
  await smtp.waitFor(() => smtp.to(email).some((m) => m.subject === sentinel), MAIL_DEADLINE_MS);
  expect(pausedMails(email)).toHaveLength(count);
}

describe('code requests by a stranger', () => {
  it('leave the code already emailed working, however many arrive from other addresses', async () => {
    clockFrom(server, noon(10));
    const team = await createTeam(server);
    const email = team.admin.email;
    const mine = await requestCode(server, email, '198.51.100.7');

    // Nine more codes from three addresses: more than the 5 that used to exhaust the email and replace its code.
    for (const ip of ['203.0.113.1', '203.0.113.2', '203.0.113.3']) {
      for (let i = 0; i < 3; i++) await from(server, ip).auth.requestCode.mutate({ email });
    }
    // Beyond the limits now: per email and address, then per email from a fourth address.
    const overMine = await from(server, '203.0.113.1').auth.requestCode.mutate({ email }).catch((e) => e);
    expect(overMine.data.code).toBe('TOO_MANY_REQUESTS');
    expect(overMine.message).toMatch(/for this email from your address\. Use a code already emailed/);
    const overEmail = await from(server, '203.0.113.4').auth.requestCode.mutate({ email }).catch((e) => e);
    expect(overEmail.data.code).toBe('TOO_MANY_REQUESTS');
    expect(overEmail.message).toMatch(/for this email\. Use a code already emailed/);
    await smtp.waitFor(() => codeMails(email).length === 10, MAIL_DEADLINE_MS);
    expect(codeOf(codeMails(email).at(-1)!)).not.toBe(mine.code);

    const result = await from(server, '198.51.100.7').auth.verifyCode.mutate({ email, ...mine });
    expect(result.user.email).toBe(email);
  });

  it('leave the owner free to request a code from their own address once the stranger is over the limit', async () => {
    clockFrom(server, noon(11));
    const team = await createTeam(server);
    const email = team.admin.email;
    for (let i = 0; i < 3; i++) await from(server, '203.0.113.20').auth.requestCode.mutate({ email });
    // Past the limit of 3, and on for more than the email's limit of 10: refused requests take nothing from the owner.
    for (let i = 0; i < 9; i++) expect(await errorCode(from(server, '203.0.113.20').auth.requestCode.mutate({ email }))).toBe('TOO_MANY_REQUESTS');
    await smtp.waitFor(() => codeMails(email).length === 3, MAIL_DEADLINE_MS);

    const attempt = await requestCode(server, email, '198.51.100.8');
    const result = await from(server, '198.51.100.8').auth.verifyCode.mutate({ email, ...attempt });
    expect(result.user.id).toBe(team.admin.userId);
  });

  it('accepts every code still valid, older ones included, each once', async () => {
    clockFrom(server, noon(12));
    const team = await createTeam(server);
    const email = team.admin.email;
    const first = await requestCode(server, email, '198.51.100.9');
    const second = await requestCode(server, email, '198.51.100.9');
    expect(second.code).not.toBe(first.code);
    await from(server, '198.51.100.9').auth.verifyCode.mutate({ email, ...first });
    await from(server, '198.51.100.9').auth.verifyCode.mutate({ email, ...second });
    expect(await errorCode(from(server, '198.51.100.9').auth.verifyCode.mutate({ email, ...first }))).toBe('UNAUTHORIZED');
  });
});

describe('the daily ceiling on wrong codes', () => {
  it('never lets parallel wrong guesses past it, then refuses the right code and emails the owner once', async () => {
    clockFrom(ceiling, noon(20));
    const team = await createTeam(ceiling);
    const email = team.admin.email;
    const mine = await requestCode(ceiling, email, '198.51.100.20');
    // The stranger's own 8 attempts (5 checks each) allow 40 guesses, far more than the ceiling of 2.
    const theirs: string[] = [];
    for (let i = 0; i < 8; i++) theirs.push((await from(ceiling, `203.0.113.${100 + i}`).auth.requestCode.mutate({ email })).attemptId);

    const results = await Promise.all(
      Array.from({ length: 40 }, (_, i) => errorCode(from(ceiling, `203.0.113.${100 + i}`).auth.verifyCode.mutate({ email, code: wrongFor([mine.code], i), attemptId: theirs[i % 8]! }))),
    );
    // Each judged guess took one of the 2 daily units first, by a conditional $inc: exactly 2 are judged.
    expect(results.filter((r) => r === 'UNAUTHORIZED')).toHaveLength(FAILED_LIMIT);
    expect(results.filter((r) => r === 'TOO_MANY_REQUESTS')).toHaveLength(40 - FAILED_LIMIT);

    const refused = await from(ceiling, '198.51.100.20').auth.verifyCode.mutate({ email, ...mine }).catch((e) => e);
    expect(refused.data.code).toBe('TOO_MANY_REQUESTS');
    expect(refused.message).toMatch(/sign-in by code is paused until 2031-01-21 00:00 UTC, even with the right code/);
    await expectPausedMails(ceiling, email);
    expect(pausedMails(email)[0]!.text).toMatch(/paused for .* until 2031-01-21 00:00 UTC, even with the right code/);
  });

  it('refuses the right code and new requests while it is hit, and lets the owner in the next day', async () => {
    clockFrom(ceiling, noon(22));
    const team = await createTeam(ceiling);
    const email = team.admin.email;
    const mine = await requestCode(ceiling, email, '198.51.100.22');
    const { attemptId } = await requestCode(ceiling, email, '203.0.113.1');
    for (let i = 0; i < FAILED_LIMIT; i++) {
      expect(await errorCode(from(ceiling, `203.0.113.${i + 1}`).auth.verifyCode.mutate({ email, code: wrongFor([mine.code], i), attemptId }))).toBe('UNAUTHORIZED');
    }

    const refused = await from(ceiling, '198.51.100.22').auth.verifyCode.mutate({ email, ...mine }).catch((e) => e);
    expect(refused.data.code).toBe('TOO_MANY_REQUESTS');
    expect(refused.message).toMatch(/even with the right code/);
    const request = await from(ceiling, '198.51.100.22').auth.requestCode.mutate({ email }).catch((e) => e);
    expect(request.data.code).toBe('TOO_MANY_REQUESTS');
    expect(request.message).toMatch(/paused until 2031-01-23 00:00 UTC/);
    await expectPausedMails(ceiling, email);

    clockFrom(ceiling, noon(23));
    const next = await requestCode(ceiling, email, '198.51.100.22');
    expect((await from(ceiling, '198.51.100.22').auth.verifyCode.mutate({ email, ...next })).user.id).toBe(team.admin.userId);
  });

  it('spares a browser that signed in as the email before: it may ask for a code and use it', async () => {
    clockFrom(ceiling, noon(28));
    const team = await createTeam(ceiling);
    const email = team.admin.email;
    const first = await requestCode(ceiling, email, '198.51.100.28');
    const { deviceToken } = await from(ceiling, '198.51.100.28').auth.verifyCode.mutate({ email, ...first });
    const { attemptId } = await requestCode(ceiling, email, '203.0.113.28');
    for (let i = 0; i < FAILED_LIMIT; i++) await errorCode(from(ceiling, '203.0.113.28').auth.verifyCode.mutate({ email, code: wrongFor([], i), attemptId }));
    expect(await errorCode(from(ceiling, '198.51.100.28').auth.requestCode.mutate({ email }))).toBe('TOO_MANY_REQUESTS');

    const mine = await requestCode(ceiling, email, '198.51.100.28', deviceToken);
    expect((await from(ceiling, '198.51.100.28').auth.verifyCode.mutate({ email, ...mine })).user.id).toBe(team.admin.userId);
    await expectPausedMails(ceiling, email);
  });

  it('emails the owner once per day it is hit, and never for an unknown email', async () => {
    const team = await createTeam(ceiling);
    const email = team.admin.email;
    const unknown = `nobody-${team.teamId}@example.test`;
    for (const day of [24, 25]) {
      clockFrom(ceiling, noon(day));
      for (const target of [email, unknown]) {
        const { attemptId } = await from(ceiling, '198.51.100.24').auth.requestCode.mutate({ email: target });
        for (let i = 0; i < FAILED_LIMIT + 3; i++) {
          await errorCode(from(ceiling, `203.0.113.${i + 1}`).auth.verifyCode.mutate({ email: target, code: wrongFor([], i), attemptId }));
        }
      }
      await expectPausedMails(ceiling, email, day - 23);
    }
    expect(smtp.to(unknown)).toEqual([]);
  });

  it('does not count a successful sign-in as a failed attempt', async () => {
    clockFrom(ceiling, noon(26));
    const team = await createTeam(ceiling);
    const email = team.admin.email;
    for (let i = 0; i < FAILED_LIMIT + 2; i++) {
      const attempt = await requestCode(ceiling, email, `198.51.100.${30 + i}`);
      await from(ceiling, `198.51.100.${30 + i}`).auth.verifyCode.mutate({ email, ...attempt });
    }
    const mine = await requestCode(ceiling, email, '198.51.100.29');
    for (let i = 0; i < FAILED_LIMIT - 1; i++) {
      expect(await errorCode(from(ceiling, '198.51.100.29').auth.verifyCode.mutate({ email, code: wrongFor([mine.code], i), attemptId: mine.attemptId }))).toBe('UNAUTHORIZED');
    }
    expect((await from(ceiling, '198.51.100.29').auth.verifyCode.mutate({ email, ...mine })).user.email).toBe(email);
  });
});
