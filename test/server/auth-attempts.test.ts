import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { randomToken, sha256 } from '../../server/lib/ids';
import { createTeam, errorCode, startTestServer, trpcClient, type TestServer } from '../helpers/harness';
import { SIGN_IN_CODE_IN_TEXT, startSmtpSink, type SmtpSink } from '../helpers/smtp-sink';

/**
 * A code can only be tried by the one who asked for it (its attempt id), and a browser that
 * signed in as the email before (its device token) is not refused because of a stranger's
 * requests. Requests come "from" addresses through X-Forwarded-For (TRUST_PROXY).
 */
const MAIL_DEADLINE_MS = 30_000;

let smtp: SmtpSink;
/** The shipped request limits: 3 per email and address, 10 per email, 30 per address, per 15 minutes. */
let server: TestServer;

beforeAll(async () => {
  smtp = await startSmtpSink();
  server = await startTestServer({ label: 'authattempts', smtpUrl: smtp.url, env: { TRUST_PROXY: 'true' } });
});
afterAll(async () => {
  await server?.close();
  await smtp.stop();
});

/** Runs the server's clock from a few minutes into a 15-minute window of `day`, so no window boundary falls inside a test. */
function clockFrom(day: number) {
  const at = Date.UTC(2032, 0, day, 12, 2);
  const started = Date.now();
  server.deps.now = () => new Date(at + (Date.now() - started));
}

const from = (ip: string) => trpcClient(server.url, null, { 'x-forwarded-for': ip });
const codeMails = (email: string) => smtp.to(email).filter((m) => /sign-in code/i.test(m.subject ?? ''));
/** A wrong code for `code`. */
const wrongFor = (code: string, i = 0) => String((Number.parseInt(code.replace('-', ''), 36) + 1 + i) % 100_000_000).padStart(8, '0');

/** Asks for a code from `ip` and returns the attempt id with the code read from the email. */
async function ask(email: string, ip: string, deviceToken?: string): Promise<{ attemptId: string; code: string }> {
  const before = codeMails(email).length;
  const { attemptId } = await from(ip).auth.requestCode.mutate({ email, deviceToken });
  await smtp.waitFor(() => codeMails(email).length > before, MAIL_DEADLINE_MS);
  return { attemptId, code: SIGN_IN_CODE_IN_TEXT.exec(codeMails(email).at(-1)!.text ?? '')![1]! };
}

describe('a sign-in attempt', () => {
  it("is out of a stranger's reach: their wrong guesses, with their own attempt, a made-up one or none, leave the person's code working", async () => {
    clockFrom(1);
    const team = await createTeam(server);
    const email = team.admin.email;
    const mine = await ask(email, '198.51.100.1');

    const theirs = await ask(email, '203.0.113.1');
    for (let i = 0; i < 5; i++) expect(await errorCode(from('203.0.113.1').auth.verifyCode.mutate({ email, code: wrongFor(mine.code, i), attemptId: theirs.attemptId }))).toBe('UNAUTHORIZED');
    for (let i = 0; i < 6; i++) expect(await errorCode(from('203.0.113.2').auth.verifyCode.mutate({ email, code: wrongFor(mine.code, i), attemptId: randomToken(16) }))).toBe('UNAUTHORIZED');
    for (let i = 0; i < 5; i++) expect(await errorCode(from('203.0.113.3').auth.verifyCode.mutate({ email, code: wrongFor(mine.code, i) } as never))).toBe('BAD_REQUEST');

    const result = await from('198.51.100.1').auth.verifyCode.mutate({ email, code: mine.code, attemptId: mine.attemptId });
    expect(result.user.id).toBe(team.admin.userId);
  });

  it('takes its code only with its own attempt id, and for its own email', async () => {
    clockFrom(2);
    const team = await createTeam(server);
    const other = await createTeam(server);
    const email = team.admin.email;
    const first = await ask(email, '198.51.100.2');
    const second = await ask(email, '198.51.100.2');

    expect(await errorCode(from('198.51.100.2').auth.verifyCode.mutate({ email, code: first.code, attemptId: second.attemptId }))).toBe('UNAUTHORIZED');
    expect(await errorCode(from('198.51.100.2').auth.verifyCode.mutate({ email, code: first.code, attemptId: randomToken(16) }))).toBe('UNAUTHORIZED');
    expect(await errorCode(from('198.51.100.2').auth.verifyCode.mutate({ email: other.admin.email, code: first.code, attemptId: first.attemptId }))).toBe('UNAUTHORIZED');

    expect((await from('198.51.100.2').auth.verifyCode.mutate({ email, code: first.code, attemptId: first.attemptId })).user.email).toBe(email);
    expect((await from('198.51.100.2').auth.verifyCode.mutate({ email, code: second.code, attemptId: second.attemptId })).user.email).toBe(email);
  });

  it('stores its id only hashed', async () => {
    clockFrom(3);
    const team = await createTeam(server);
    const { attemptId } = await ask(team.admin.email, '198.51.100.3');
    expect(attemptId).toMatch(/^[A-Za-z0-9_-]{22}$/);
    expect(await server.storage.cols.loginCodes.findOne({ _id: attemptId })).toBeNull();
    expect(await server.storage.cols.loginCodes.findOne({ _id: sha256(attemptId) })).toMatchObject({ attempts: 0 });
  });

  it('answers bad input with 400 and changes nothing', async () => {
    clockFrom(4);
    const team = await createTeam(server);
    const email = team.admin.email;
    const mine = await ask(email, '198.51.100.4');
    const noAttempt = await from('198.51.100.4').auth.verifyCode.mutate({ email, code: mine.code } as never).catch((e) => e);
    expect(noAttempt.data.code).toBe('BAD_REQUEST');
    expect(noAttempt.message).toMatch(/attemptId/);
    const madeUp = await from('198.51.100.4').auth.verifyCode.mutate({ email, code: mine.code, attemptId: 'x' }).catch((e) => e);
    expect(madeUp.data.code).toBe('BAD_REQUEST');
    expect(madeUp.message).toMatch(/not a valid sign-in attempt/);
    const badToken = await from('198.51.100.4').auth.requestCode.mutate({ email, deviceToken: 'not a token!' }).catch((e) => e);
    expect(badToken.data.code).toBe('BAD_REQUEST');
    expect(badToken.message).toMatch(/not a valid device token/);

    // Nothing was checked, sent or stored: the attempt still has its 5 checks, one email went out.
    expect(await server.storage.cols.loginCodes.findOne({ _id: sha256(mine.attemptId) })).toMatchObject({ attempts: 0 });
    expect(await server.storage.cols.loginCodes.countDocuments({ emailHash: sha256(`email:${email}`) })).toBe(1);
    expect(codeMails(email)).toHaveLength(1);
    expect((await from('198.51.100.4').auth.verifyCode.mutate({ email, code: mine.code, attemptId: mine.attemptId })).user.email).toBe(email);
  });
});

describe('a browser that signed in as the email before', () => {
  it("is not refused when a stranger has used up the email's requests, and its token is replaced at each sign-in", async () => {
    clockFrom(10);
    const team = await createTeam(server);
    const email = team.admin.email;
    const first = await ask(email, '198.51.100.10');
    const signedIn = await from('198.51.100.10').auth.verifyCode.mutate({ email, code: first.code, attemptId: first.attemptId });
    expect(signedIn.deviceToken).toMatch(/^[A-Za-z0-9_-]{43}$/);

    // A stranger spends the email's limit of 10 from four addresses.
    for (const ip of ['203.0.113.11', '203.0.113.12', '203.0.113.13']) {
      for (let i = 0; i < 3; i++) await from(ip).auth.requestCode.mutate({ email });
    }
    const refused = await from('203.0.113.14').auth.requestCode.mutate({ email }).catch((e) => e);
    expect(refused.data.code).toBe('TOO_MANY_REQUESTS');
    expect(refused.message).toMatch(/for this email\. Use a code already emailed/);
    await smtp.waitFor(() => codeMails(email).length === 10, MAIL_DEADLINE_MS);
    // The person without their token is refused too; with it, they are not.
    expect(await errorCode(from('198.51.100.10').auth.requestCode.mutate({ email }))).toBe('TOO_MANY_REQUESTS');
    const again = await ask(email, '198.51.100.10', signedIn.deviceToken);
    const next = await from('198.51.100.10').auth.verifyCode.mutate({ email, code: again.code, attemptId: again.attemptId });
    expect(next.user.id).toBe(team.admin.userId);
    expect(next.deviceToken).not.toBe(signedIn.deviceToken);

    // The token it asked with is spent; the new one is stored only hashed.
    expect(await errorCode(from('198.51.100.10').auth.requestCode.mutate({ email, deviceToken: signedIn.deviceToken }))).toBe('TOO_MANY_REQUESTS');
    expect(await server.storage.cols.deviceTokens.findOne({ _id: next.deviceToken })).toBeNull();
    expect(await server.storage.cols.deviceTokens.findOne({ _id: sha256(next.deviceToken) })).not.toBeNull();
    expect((await from('198.51.100.10').auth.requestCode.mutate({ email, deviceToken: next.deviceToken })).attemptId).toBeTruthy();
  });

  it("exempts only its own email, and is itself limited", async () => {
    clockFrom(11);
    const team = await createTeam(server);
    const victim = await createTeam(server);
    const own = await ask(team.admin.email, '203.0.113.20');
    const { deviceToken } = await from('203.0.113.20').auth.verifyCode.mutate({ email: team.admin.email, code: own.code, attemptId: own.attemptId });

    // Another email's token exempts nothing: the per-email-and-address limit of 3 still holds.
    for (let i = 0; i < 3; i++) await from('203.0.113.20').auth.requestCode.mutate({ email: victim.admin.email, deviceToken });
    expect(await errorCode(from('203.0.113.20').auth.requestCode.mutate({ email: victim.admin.email, deviceToken }))).toBe('TOO_MANY_REQUESTS');

    // Its own limit: 20 a window, from any addresses.
    for (let i = 0; i < 20; i++) await from(`198.51.100.${100 + i}`).auth.requestCode.mutate({ email: team.admin.email, deviceToken });
    const over = await from('198.51.100.200').auth.requestCode.mutate({ email: team.admin.email, deviceToken }).catch((e) => e);
    expect(over.data.code).toBe('TOO_MANY_REQUESTS');
    expect(over.message).toMatch(/from this browser/);
  });
});
