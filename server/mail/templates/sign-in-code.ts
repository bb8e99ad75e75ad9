import { escapeHtml, layout } from './layout';

/**
 * The code is 8 base32 characters shown as ABCD-EFGH (see README, Sign-in security); several codes for one
 * email can be valid at once, each only with the attempt id its request answered, so only where it was asked for.
 */
export function signInCodeMail(p: { code: string; email: string; publicUrl: string }) {
  const subject = `Your Keywarden sign-in code: ${p.code}`;
  const text = [
    `Your Keywarden sign-in code is ${p.code}`,
    '',
    'It is valid for 10 minutes, can be used once, and works only in the browser where you asked for it.',
    `If you did not ask to sign in to ${p.publicUrl} as ${p.email}, ignore this email: nobody can sign in without the code.`,
  ].join('\n');
  const html = layout(
    subject,
    `<p>Your Keywarden sign-in code is</p><p style="font-size:28px;font-weight:bold;letter-spacing:4px">${escapeHtml(p.code)}</p>
     <p>It is valid for 10 minutes, can be used once, and works only in the browser where you asked for it.</p>
     <p style="color:#666">If you did not ask to sign in as ${escapeHtml(p.email)}, ignore this email: nobody can sign in without the code.</p>`,
  );
  return { subject, text, html };
}
