import { escapeHtml, layout } from './layout';

export function signInCodeMail(p: { code: string; email: string; publicUrl: string }) {
  const subject = `Your Keywarden sign-in code: ${p.code}`;
  const text = [
    `Your Keywarden sign-in code is ${p.code}`,
    '',
    'It is valid for 10 minutes and can be used once.',
    `If you did not ask to sign in to ${p.publicUrl} as ${p.email}, ignore this email: nobody can sign in without the code.`,
  ].join('\n');
  const html = layout(
    subject,
    `<p>Your Keywarden sign-in code is</p><p style="font-size:28px;font-weight:bold;letter-spacing:4px">${escapeHtml(p.code)}</p>
     <p>It is valid for 10 minutes and can be used once.</p>
     <p style="color:#666">If you did not ask to sign in as ${escapeHtml(p.email)}, ignore this email: nobody can sign in without the code.</p>`,
  );
  return { subject, text, html };
}
