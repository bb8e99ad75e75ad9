import { formatWhen } from './key-notice-params';
import { escapeHtml, layout } from './layout';

/** Tells a team admin that Keywarden turned off a webhook endpoint that failed every delivery for a day. Pure. */
export function webhookDisabledMail(p: { teamName: string; url: string; failingSince: Date; lastError: string; publicUrl: string }) {
  const subject = `A webhook of "${p.teamName}" was turned off after failing for 24 hours`;
  const what = `Every delivery to ${p.url} has failed since ${formatWhen(p.failingSince)}, so Keywarden turned the endpoint off. Events are no longer sent to it.`;
  const last = `Last error: ${p.lastError}`;
  const how = 'Fix the receiver, then enable the endpoint again in the dashboard (Webhooks tab); "Send test" checks it first.';
  const text = [what, '', last, '', how, '', `Keywarden: ${p.publicUrl}`].join('\n');
  const html = layout(
    subject,
    `<p>${escapeHtml(what)}</p>
<p style="color:#666">${escapeHtml(last)}</p>
<p>${escapeHtml(how)}</p>`,
  );
  return { subject, text, html };
}
