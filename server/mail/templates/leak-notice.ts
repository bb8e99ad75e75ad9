import type { LeakEntry, LeakSource } from '../../../shared/schemas/leak';
import { formatWhen } from './key-notice-params';
import { escapeHtml, layout } from './layout';

/**
 * The emails (and one-line in-app texts) of the two leak alarms: `key_leaked`
 * (a key was found in public) and `canary_triggered` (someone used a canary).
 * Pure: everything they say comes in through the params.
 */
const SOURCES: Record<LeakSource, string> = {
  github: 'GitHub secret scanning found it in a public repository',
  public_report: 'someone reported it through the public leak report',
  extension: "a team member's Keywarden leak guard found it on a web page",
};

const DONE: Record<LeakEntry['action'], string> = {
  revoked: 'Keywarden revoked it at once (reason: leaked); every request made with it is now denied.',
  disabled: 'Keywarden disabled it at once (reason: leaked); a team admin can enable it again once it is safe.',
  notified: "Your team's leak response is \"notify\": the key still works. Revoke it unless you are sure it is harmless.",
  none: 'The key no longer worked, so nothing else was needed.',
};

export interface LeakNoticeParams {
  teamName: string;
  key: { name: string; hint: string };
  /** The owner reads "your key"; an admin reads whose key it is. */
  ownerEmail: string | null;
  toOwner: boolean;
  source: LeakSource;
  url: string | null;
  action: LeakEntry['action'];
  at: Date;
  publicUrl: string;
}

export interface CanaryNoticeParams {
  teamName: string;
  key: { name: string; hint: string };
  ip: string | null;
  userAgent: string | null;
  at: Date;
  publicUrl: string;
}

function whose(p: LeakNoticeParams) {
  return p.toOwner ? `Your API key "${p.key.name}"` : `The API key "${p.key.name}"${p.ownerEmail ? ` of ${p.ownerEmail}` : ''}`;
}

export function leakNoticeSummary(p: LeakNoticeParams): string {
  const where = p.url ? ` at ${p.url}` : '';
  const done = { revoked: 'It was revoked.', disabled: 'It was disabled.', notified: 'It still works: revoke it.', none: 'It no longer worked.' }[p.action];
  return `${whose(p)} in team "${p.teamName}" leaked${where} (${SOURCES[p.source]}). ${done}`;
}

export function leakNoticeMail(p: LeakNoticeParams) {
  const subject = `Keywarden API key "${p.key.name}" leaked${p.action === 'revoked' ? ': revoked' : p.action === 'disabled' ? ': disabled' : ''}`;
  const facts: [string, string][] = [
    ['Team', p.teamName],
    ['Key', `${p.key.name} (${p.key.hint})`],
    ['Found', p.url ?? 'no address given'],
    ['Reported by', SOURCES[p.source]],
    ['When', formatWhen(p.at)],
  ];
  const next = 'Generate a new key, replace the leaked one wherever it is used, and remove the key from where it was found.';
  const text = [`${whose(p)} in team "${p.teamName}" was found in public.`, '', ...facts.map(([k, v]) => `${k}: ${v}`), '', DONE[p.action], '', `What to do next: ${next}`, '', `Keywarden: ${p.publicUrl}`].join('\n');
  const html = layout(
    subject,
    `<p>${escapeHtml(`${whose(p)} in team "${p.teamName}" was found in public.`)}</p>
${factTable(facts)}
<p>${escapeHtml(DONE[p.action])}</p>
<p><strong>What to do next:</strong> ${escapeHtml(next)}</p>
<p><a href="${escapeHtml(p.publicUrl)}">Open Keywarden</a></p>`,
  );
  return { subject, text, html };
}

export function canaryNoticeSummary(p: CanaryNoticeParams): string {
  return `Canary key "${p.key.name}" in team "${p.teamName}" was used at ${formatWhen(p.at)} from ${p.ip ?? 'an unknown address'} (${p.userAgent ?? 'no user agent'}).`;
}

export function canaryNoticeMail(p: CanaryNoticeParams) {
  const subject = `Keywarden canary "${p.key.name}" was used from ${p.ip ?? 'an unknown address'}`;
  const facts: [string, string][] = [
    ['Team', p.teamName],
    ['Canary', `${p.key.name} (${p.key.hint})`],
    ['When', formatWhen(p.at)],
    ['Source address', p.ip ?? 'unknown'],
    ['User agent', p.userAgent ?? 'none sent'],
  ];
  const what = 'Nobody should ever use a canary key: whoever presented it found it where it was planted. The caller was told the key does not exist.';
  const next = 'Find out where this canary was planted and who could read it there; treat every secret stored beside it as leaked.';
  const text = [`The canary key "${p.key.name}" in team "${p.teamName}" was just used.`, '', ...facts.map(([k, v]) => `${k}: ${v}`), '', what, '', `What to do next: ${next}`, '', `Keywarden: ${p.publicUrl}`].join('\n');
  const html = layout(
    subject,
    `<p>${escapeHtml(`The canary key "${p.key.name}" in team "${p.teamName}" was just used.`)}</p>
${factTable(facts)}
<p>${escapeHtml(what)}</p>
<p><strong>What to do next:</strong> ${escapeHtml(next)}</p>
<p><a href="${escapeHtml(p.publicUrl)}">Open Keywarden</a></p>`,
  );
  return { subject, text, html };
}

function factTable(facts: [string, string][]) {
  return `<table style="border-collapse:collapse">${facts.map(([k, v]) => `<tr><td style="padding:2px 12px 2px 0;color:#666">${escapeHtml(k)}</td><td>${escapeHtml(v)}</td></tr>`).join('')}</table>`;
}
