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

async function requestAndReadCode(email: string) {
  const before = smtp.to(email).length;
  await server.client().auth.requestCode.mutate({ email });
  await smtp.waitFor(() => smtp.to(email).length > before);
  return latestCode(smtp, email)!;
}

describe('sign-in by emailed code', () => {
  it('signs in with the code from the email, then signs out', async () => {
    const team = await createTeam(server, 'Sign-in Team');
    const code = await requestAndReadCode(team.admin.email);
    expect(code).toMatch(/^[0-9A-HJKMNP-TV-Z]{4}-[0-9A-HJKMNP-TV-Z]{4}$/);

    const result = await server.client().auth.verifyCode.mutate({ email: team.admin.email.toUpperCase(), code });
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
    const code = await requestAndReadCode(team.admin.email);
    await trpcClient(server.url, null, { 'user-agent': 'audit-test/1.0' }).auth.verifyCode.mutate({ email: team.admin.email, code });
    const [entry] = await auditOf(server, team.teamId, 'auth.sign_in');
    expect(entry).toMatchObject({ actor: { userId: team.admin.userId, role: 'super_admin' }, userAgent: 'audit-test/1.0' });
    expect(entry!.ip).toMatch(/127\.0\.0\.1/);
  });

  it('answers an unknown email exactly like a known one and sends nothing', async () => {
    const team = await createTeam(server);
    const known = await server.client().auth.requestCode.mutate({ email: team.admin.email });
    const unknown = await server.client().auth.requestCode.mutate({ email: 'nobody-here@example.test' });
    expect(unknown).toEqual(known);
    await smtp.waitFor(() => smtp.to(team.admin.email).length > 0);
    expect(smtp.to('nobody-here@example.test')).toHaveLength(0);
  });

  it('locks a code after 5 wrong attempts, even for the right code', async () => {
    const team = await createTeam(server);
    const code = await requestAndReadCode(team.admin.email);
    const wrong = code === '0000-0000' ? '1111-1111' : '0000-0000';
    for (let i = 0; i < 5; i++) {
      expect(await errorCode(server.client().auth.verifyCode.mutate({ email: team.admin.email, code: wrong }))).toBe('UNAUTHORIZED');
    }
    expect(await errorCode(server.client().auth.verifyCode.mutate({ email: team.admin.email, code }))).toBe('TOO_MANY_REQUESTS');
  });

  it('counts parallel wrong guesses one by one, so they cannot get past the lock', async () => {
    const team = await createTeam(server);
    const code = await requestAndReadCode(team.admin.email);
    const wrong = (i: number) => String((Number(code) + 1 + i) % 100_000_000).padStart(8, '0');
    const results = await Promise.all(Array.from({ length: 40 }, (_, i) => errorCode(server.client().auth.verifyCode.mutate({ email: team.admin.email, code: wrong(i) }))));
    // At most 5 guesses are ever judged; the rest are turned away (a slot lost to a driver retry can only make it fewer).
    const judged = results.filter((r) => r === 'UNAUTHORIZED').length;
    expect(judged).toBeGreaterThanOrEqual(1);
    expect(judged).toBeLessThanOrEqual(5);
    expect(results.filter((r) => r === 'TOO_MANY_REQUESTS')).toHaveLength(40 - judged);
    expect(await errorCode(server.client().auth.verifyCode.mutate({ email: team.admin.email, code }))).toBe('TOO_MANY_REQUESTS');
  });

  it('accepts a code once only', async () => {
    const team = await createTeam(server);
    const code = await requestAndReadCode(team.admin.email);
    await server.client().auth.verifyCode.mutate({ email: team.admin.email, code });
    expect(await errorCode(server.client().auth.verifyCode.mutate({ email: team.admin.email, code }))).toBe('UNAUTHORIZED');
  });

  it('refuses an expired code', async () => {
    const team = await createTeam(server);
    const code = await requestAndReadCode(team.admin.email);
    await expireLoginCodes(server);
    expect(await errorCode(server.client().auth.verifyCode.mutate({ email: team.admin.email, code }))).toBe('UNAUTHORIZED');
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
    const admitted = results.filter((r) => r.status === 'fulfilled').length;
    expect(admitted).toBeGreaterThanOrEqual(1);
    expect(admitted).toBeLessThanOrEqual(3);
  });

  it('rejects malformed input with a clear message', async () => {
    const err = await server.client().auth.verifyCode.mutate({ email: 'not-an-email', code: '12' }).catch((e) => e);
    expect(err.data.code).toBe('BAD_REQUEST');
    expect(err.message).toMatch(/email: not a valid email address/);
    expect(err.message).toMatch(/code: the code is the 8 letters and digits from the email/);
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
