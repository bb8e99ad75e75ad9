import { randomBytes } from 'node:crypto';
import { createTeam, trpcClient, type TestServer } from './harness';
import { latestCode, type SmtpSink } from './smtp-sink';

/** Helpers of the invitation tests: people who sign in by the emailed code, and the invitation emails. */
export const MAIL_DEADLINE_MS = 30_000;

export const unique = (label: string) => `${label}-${randomBytes(3).toString('hex')}@example.test`;
export const isInvitation = (subject: string | undefined) => /invited you to join/.test(subject ?? '');

/** Signs in the real way, by the code emailed to the address. */
export async function signInByMail(server: TestServer, smtp: SmtpSink, email: string, userAgent = 'invitations-test/1.0') {
  const before = smtp.to(email).filter((m) => /sign-in code/i.test(m.subject ?? '')).length;
  const { attemptId } = await server.client().auth.requestCode.mutate({ email });
  await smtp.waitFor(() => smtp.to(email).filter((m) => /sign-in code/i.test(m.subject ?? '')).length > before, MAIL_DEADLINE_MS);
  const result = await trpcClient(server.url, null, { 'user-agent': userAgent }).auth.verifyCode.mutate({ email, code: latestCode(smtp, email)!, attemptId });
  return { ...result, api: trpcClient(server.url, result.token, { 'user-agent': userAgent }) };
}

/** Someone with an account who has signed in, in a team of their own. */
export async function signedInPersonOf(server: TestServer, smtp: SmtpSink, label: string) {
  const home = await createTeam(server, `Home of ${label}`);
  const session = await signInByMail(server, smtp, home.admin.email);
  return { home, userId: home.admin.userId, email: home.admin.email, api: session.api };
}
