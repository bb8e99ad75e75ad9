import { escapeHtml, layout } from './layout';
import { formatWhen } from './key-notice-params';

/**
 * To an account's owner when wrong sign-in codes for their email reached the daily
 * ceiling: sign-in by code is paused until `until`, even with the right code, except in browsers
 * that have signed in as them before (their device token).
 */
export function signInPausedMail(p: { email: string; failedLimit: number; until: Date; publicUrl: string }) {
  const subject = 'Someone is trying to sign in to Keywarden as you';
  const when = formatWhen(p.until);
  const text = [
    `Someone is trying to sign in to ${p.publicUrl} as ${p.email}: wrong sign-in codes for this email reached today's limit (${p.failedLimit}).`,
    '',
    `To protect your account, sign-in by emailed code is paused for ${p.email} until ${when}, even with the right code, in browsers that have not signed in as you before.`,
    'A wrong code signs nobody in, and codes are sent only to this address. If you did not ask for a code, no action is needed;',
    'if you did, ask from a browser you have signed in from before, or wait until the pause ends. Sessions you already have keep working.',
  ].join('\n');
  const html = layout(
    subject,
    `<p>Someone is trying to sign in to ${escapeHtml(p.publicUrl)} as <b>${escapeHtml(p.email)}</b>: wrong sign-in codes for this email reached today's limit (${p.failedLimit}).</p>
     <p>To protect your account, sign-in by emailed code is paused until <b>${escapeHtml(when)}</b>, even with the right code, in browsers that have not signed in as you before.</p>
     <p style="color:#666">A wrong code signs nobody in, and codes are sent only to this address. If you did not ask for a code, no action is needed;
     if you did, ask from a browser you have signed in from before, or wait until the pause ends. Sessions you already have keep working.</p>`,
  );
  return { subject, text, html };
}
