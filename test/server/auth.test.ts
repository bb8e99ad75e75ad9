import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sha256 } from '../../server/lib/ids';
import { auditOf, expireLoginCodes } from '../helpers/fixtures';
import { createTeam, errorCode, startTestServer, trpcClient, type TestServer } from '../helpers/harness';
import { latestCode, startSmtpSink, type SmtpSink } from '../helpers/smtp-sink';

let smtp: SmtpSink;
let server: TestServer;
beforeAll(async () => {
  smtp = await startSmtpSink();
  server = await startTestServer({ label: 'auth', smtpUrl: smtp.url, env: { AUTH_CODE_LIMIT_PER_EMAIL: '3', AUTH_CODE_LIMIT_PER_IP: '1000' } });
});
afterAll(async () => {
  await server.close();
  await smtp.stop();
});

/** Asks for a code: the attempt id the request answered, and the code from the email. */
async function requestAndReadCode(email: string) {
  const before = smtp.to(email).length;
  const { attemptId } = await server.client().auth.requestCode.mutate({ email });
  await smtp.waitFor(() => smtp.to(email).length > before);
  return { attemptId, code: latestCode(smtp, email)! };
}

describe('sign-in by emailed code', () => {
  it('signs in with the code from the email, then signs out', async () => {
    const team = await createTeam(server, 'Sign-in Team');
    const { attemptId, code } = await requestAndReadCode(team.admin.email);
    expect(code).toMatch(/^[0-9A-HJKMNP-TV-Z]{4}-[0-9A-HJKMNP-TV-Z]{4}$/);

    const result = await server.client().auth.verifyCode.mutate({ email: team.admin.email.toUpperCase(), code, attemptId });
    expect(result.user.email).toBe(team.admin.email);
    expect(result.teams).toEqual([{ teamId: team.teamId, name: 'Sign-in Team', role: 'super_admin', canGenerate: true }]);

    const api = server.client(result.token);
    expect((await api.auth.me.query()).user.id).toBe(team.admin.userId);
    // About storage: the token is stored only as a hash.
    expect(await server.storage.cols.sessions.findOne({ _id: result.token })).toBeNull();
    expect(await server.storage.cols.sessions.findOne({ _id: sha256(result.token) })).not.toBeNull();

    await api.auth.logout.mutate();
    expect(await errorCode(api.auth.me.query())).toBe('UNAUTHORIZED');
  });

  it('records the sign-in in the team audit log with IP and user agent', async () => {
    const team = await createTeam(server);
    const attempt = await requestAndReadCode(team.admin.email);
    await trpcClient(server.url, null, { 'user-agent': 'audit-test/1.0' }).auth.verifyCode.mutate({ email: team.admin.email, ...attempt });
    const [entry] = await auditOf(server, team.teamId, 'auth.sign_in');
    expect(entry).toMatchObject({ actor: { userId: team.admin.userId, role: 'super_admin' }, userAgent: 'audit-test/1.0' });
    expect(entry!.ip).toMatch(/127\.0\.0\.1/);
  });

  it('answers an unknown email exactly like a known one and sends nothing', async () => {
    const team = await createTeam(server);
    const known = await server.client().auth.requestCode.mutate({ email: team.admin.email });
    const unknown = await server.client().auth.requestCode.mutate({ email: 'nobody-here@example.test' });
    // An attempt id of the same form for both; only the ids differ.
    expect({ ...unknown, attemptId: 'id' }).toEqual({ ...known, attemptId: 'id' });
    expect(unknown.attemptId).toMatch(/^[A-Za-z0-9_-]{22}$/);
    expect(known.attemptId).toMatch(/^[A-Za-z0-9_-]{22}$/);
    await smtp.waitFor(() => smtp.to(team.admin.email).length > 0);
    expect(smtp.to('nobody-here@example.test')).toHaveLength(0);
  });

  it('locks an attempt after 5 wrong codes, even for the right code', async () => {
    const team = await createTeam(server);
    const { attemptId, code } = await requestAndReadCode(team.admin.email);
    const wrong = code === '0000-0000' ? '1111-1111' : '0000-0000';
    for (let i = 0; i < 5; i++) {
      expect(await errorCode(server.client().auth.verifyCode.mutate({ email: team.admin.email, code: wrong, attemptId }))).toBe('UNAUTHORIZED');
    }
    expect(await errorCode(server.client().auth.verifyCode.mutate({ email: team.admin.email, code, attemptId }))).toBe('TOO_MANY_REQUESTS');
  });

  it('counts parallel wrong guesses one by one, so they cannot get past the lock', async () => {
    const team = await createTeam(server);
    const { attemptId, code } = await requestAndReadCode(team.admin.email);
    const wrong = (i: number) => String((Number.parseInt(code.replace('-', ''), 36) + 1 + i) % 100_000_000).padStart(8, '0');
    const results = await Promise.all(Array.from({ length: 40 }, (_, i) => errorCode(server.client().auth.verifyCode.mutate({ email: team.admin.email, code: wrong(i), attemptId }))));
    // Exactly 5 guesses are judged (each took one check by a conditional $inc); the rest are turned away.
    expect(results.filter((r) => r === 'UNAUTHORIZED')).toHaveLength(5);
    expect(results.filter((r) => r === 'TOO_MANY_REQUESTS')).toHaveLength(35);
    expect(await errorCode(server.client().auth.verifyCode.mutate({ email: team.admin.email, code, attemptId }))).toBe('TOO_MANY_REQUESTS');
  });

  it('accepts a code once only', async () => {
    const team = await createTeam(server);
    const attempt = await requestAndReadCode(team.admin.email);
    await server.client().auth.verifyCode.mutate({ email: team.admin.email, ...attempt });
    expect(await errorCode(server.client().auth.verifyCode.mutate({ email: team.admin.email, ...attempt }))).toBe('UNAUTHORIZED');
  });

  it('refuses an expired code', async () => {
    const team = await createTeam(server);
    const attempt = await requestAndReadCode(team.admin.email);
    await expireLoginCodes(server);
    expect(await errorCode(server.client().auth.verifyCode.mutate({ email: team.admin.email, ...attempt }))).toBe('UNAUTHORIZED');
  });

  it('rate-limits code requests per email from one address', async () => {
    const email = 'limited@example.test';
    for (let i = 0; i < 3; i++) await server.client().auth.requestCode.mutate({ email });
    expect(await errorCode(server.client().auth.requestCode.mutate({ email }))).toBe('TOO_MANY_REQUESTS');
  });

  it('never lets parallel code requests past the limit', async () => {
    const email = 'parallel-limit@example.test';
    const results = await Promise.allSettled(Array.from({ length: 12 }, () => server.client().auth.requestCode.mutate({ email })));
    const failures = results.flatMap((r) => (r.status === 'rejected' ? [(r.reason as { data?: { code?: string } }).data?.code] : []));
    expect(failures.filter((c) => c !== 'TOO_MANY_REQUESTS')).toEqual([]);
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(3);
  });

  it('rejects malformed input with a clear message', async () => {
    const err = await server.client().auth.verifyCode.mutate({ email: 'not-an-email', code: '12', attemptId: '?' }).catch((e) => e);
    expect(err.data.code).toBe('BAD_REQUEST');
    expect(err.message).toMatch(/email: not a valid email address/);
    expect(err.message).toMatch(/code: the code is the 8 letters and digits from the email/);
    expect(err.message).toMatch(/attemptId: not a valid sign-in attempt/);
  });

  it('rejects a made-up session token', async () => {
    expect(await errorCode(server.client('made-up-token').auth.me.query())).toBe('UNAUTHORIZED');
  });
});

describe('the per-IP limit', () => {
  it('stops one address from requesting codes for many emails', async () => {
    const limited = await startTestServer({ label: 'authip', env: { AUTH_CODE_LIMIT_PER_IP: '4' } });
    try {
      for (let i = 0; i < 4; i++) await limited.client().auth.requestCode.mutate({ email: `spray-${i}@example.test` });
      expect(await errorCode(limited.client().auth.requestCode.mutate({ email: 'spray-5@example.test' }))).toBe('TOO_MANY_REQUESTS');
    } finally {
      await limited.close();
    }
  });
});

describe('the purge job', () => {
  it('drops the counters, attempts and device tokens whose time has passed, and keeps the others', async () => {
    const team = await createTeam(server);
    const email = team.admin.email;
    const attempt = await requestAndReadCode(email);
    const { deviceToken } = await server.client().auth.verifyCode.mutate({ email, ...attempt });
    const pending = (await server.client().auth.requestCode.mutate({ email, deviceToken })).attemptId;
    const emailBucket = { _id: { $regex: `^code-email:${sha256(email)}:` } };
    const counts = async () => ({
      buckets: await server.storage.cols.rateLimits.countDocuments(emailBucket),
      attempts: await server.storage.cols.loginCodes.countDocuments({ _id: sha256(pending) }),
      devices: await server.storage.cols.deviceTokens.countDocuments({ emailHash: sha256(`email:${email}`) }),
    });
    expect(await counts()).toEqual({ buckets: 1, attempts: 1, devices: 1 });
    const realNow = server.deps.now;
    try {
      await server.services.auth.purgeExpired();
      expect(await counts()).toEqual({ buckets: 1, attempts: 1, devices: 1 });
      server.deps.now = () => new Date(Date.now() + 2 * 86_400_000);
      await server.services.auth.purgeExpired();
      expect(await counts()).toEqual({ buckets: 0, attempts: 0, devices: 1 });
      server.deps.now = () => new Date(Date.now() + 400 * 86_400_000);
      await server.services.auth.purgeExpired();
      expect(await counts()).toEqual({ buckets: 0, attempts: 0, devices: 0 });
    } finally {
      server.deps.now = realNow;
    }
  });
});

describe('a request limit', () => {
  it('admits exactly its limit of 40 parallel requests, counted in one document', async () => {
    const counted = await startTestServer({ label: 'authcount', env: { AUTH_CODE_LIMIT_PER_EMAIL: '10', AUTH_CODE_LIMIT_PER_EMAIL_IP: '1000', AUTH_CODE_LIMIT_PER_IP: '1000', RATE_LIMIT_PER_IP: '0' } });
    try {
      const email = 'counted@example.test';
      const results = await Promise.allSettled(Array.from({ length: 40 }, () => counted.client().auth.requestCode.mutate({ email })));
      expect(results.flatMap((r) => (r.status === 'rejected' ? [(r.reason as { data?: { code?: string } }).data?.code] : [])).filter((c) => c !== 'TOO_MANY_REQUESTS')).toEqual([]);
      expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(10);
      const buckets = await counted.storage.cols.rateLimits.find({ _id: { $regex: '^code-email:' } }).toArray();
      expect(buckets.map((b) => b.count)).toEqual([10]);
    } finally {
      await counted.close();
    }
  });
});
