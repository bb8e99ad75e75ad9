import type { LeakEntry, LeakSource } from '../../../shared/schemas/leak';
import { escapeForLog } from '../../deps';
import { formatWhen } from './key-notice-params';
import { escapeHtml, layout, withTeam } from './layout';

/**
 * The emails (and one-line in-app texts) of the leak alarms: `key_leaked`
 * (a key was found in public), `token_leaked` (a team API token was) and
 * `canary_triggered` (someone used a canary).
 * Pure: everything they say comes in through the params. What a stranger supplied (where a leak
 * was seen, the address and user agent a canary was used from) is shown through `reported`, so a
 * control or bidi character in it appears as an escape instead of forging a line or reordering one.
 */
const reported = (text: string | null, absent: string): string => (text === null ? absent : escapeForLog(text));

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
  /** The addresses it was used from this hour, first use first (at most 20), and the uses from further ones. */
  sources: { ip: string | null; userAgent: string | null; at: Date }[];
  more: number;
  /** The hour's first use. */
  at: Date;
  publicUrl: string;
}

function whose(p: LeakNoticeParams) {
  return p.toOwner ? `Your API key "${p.key.name}"` : `The API key "${p.key.name}"${p.ownerEmail ? ` of ${p.ownerEmail}` : ''}`;
}

export function leakNoticeSummary(p: LeakNoticeParams): string {
  const where = p.url ? ` at ${reported(p.url, '')}` : '';
  const done = { revoked: 'It was revoked.', disabled: 'It was disabled.', notified: 'It still works: revoke it.', none: 'It no longer worked.' }[p.action];
  return `${whose(p)} in team "${p.teamName}" leaked${where} (${SOURCES[p.source]}). ${done}`;
}

export function leakNoticeMail(p: LeakNoticeParams) {
  const subject = withTeam(`Keywarden API key "${p.key.name}" leaked${p.action === 'revoked' ? ': revoked' : p.action === 'disabled' ? ': disabled' : ''}`, p.teamName);
  const facts: [string, string][] = [
    ['Team', p.teamName],
    ['Key', `${p.key.name} (${p.key.hint})`],
    ['Found', reported(p.url, 'no address given')],
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

export interface TokenLeakNoticeParams {
  teamName: string;
  token: { name: string; hint: string };
  /** The creator reads "your API token"; an admin reads who created it. */
  creatorEmail: string | null;
  toCreator: boolean;
  source: LeakSource;
  url: string | null;
  at: Date;
  publicUrl: string;
}

/** A leaked team API token is always revoked at once (tokens.service.ts): no team response to word. */
export function tokenLeakNoticeSummary(p: TokenLeakNoticeParams): string {
  const where = p.url ? ` at ${reported(p.url, '')}` : '';
  const whose = p.toCreator ? 'your ' : p.creatorEmail ? `${p.creatorEmail}'s ` : '';
  return `API token "${p.token.name}" leaked: revoked in team "${p.teamName}". It was found${where} (${SOURCES[p.source]}); ${whose}token no longer works.`;
}

export function tokenLeakNoticeMail(p: TokenLeakNoticeParams) {
  const subject = withTeam(`Keywarden API token "${p.token.name}" leaked: revoked`, p.teamName);
  const intro = `The API token "${p.token.name}"${p.toCreator ? ' you created' : p.creatorEmail ? ` created by ${p.creatorEmail}` : ''} in team "${p.teamName}" was found in public.`;
  const facts: [string, string][] = [
    ['Team', p.teamName],
    ['Token', `${p.token.name} (${p.token.hint})`],
    ['Found', reported(p.url, 'no address given')],
    ['Reported by', SOURCES[p.source]],
    ['When', formatWhen(p.at)],
  ];
  const done = 'Keywarden revoked it at once (reason: leaked); every REST call made with it is now refused.';
  const next = 'Create a new API token with the scopes you need, replace the leaked one wherever it is used, and remove it from where it was found.';
  const text = [intro, '', ...facts.map(([k, v]) => `${k}: ${v}`), '', done, '', `What to do next: ${next}`, '', `Keywarden: ${p.publicUrl}`].join('\n');
  const html = layout(
    subject,
    `<p>${escapeHtml(intro)}</p>
${factTable(facts)}
<p>${escapeHtml(done)}</p>
<p><strong>What to do next:</strong> ${escapeHtml(next)}</p>
<p><a href="${escapeHtml(p.publicUrl)}">Open Keywarden</a></p>`,
  );
  return { subject, text, html };
}

const sourceLine = (u: CanaryNoticeParams['sources'][number]) => `${reported(u.ip, 'an unknown address')} (${reported(u.userAgent, 'no user agent')}) at ${formatWhen(u.at)}`;

/** "203.0.113.7", or "203.0.113.7 and 19 other addresses (and more)": `more` counts only once 20 are listed. */
function fromWhere(p: CanaryNoticeParams): string {
  const first = reported(p.sources[0]?.ip ?? null, 'an unknown address');
  const others = p.sources.length - 1;
  if (others <= 0) return first;
  return `${first} and ${others} other address${others === 1 ? '' : 'es'}${p.more > 0 ? ' (and more)' : ''}`;
}

export function canaryNoticeSummary(p: CanaryNoticeParams): string {
  const [first] = p.sources;
  const detail = p.sources.length === 1 && first ? `from ${reported(first.ip, 'an unknown address')} (${reported(first.userAgent, 'no user agent')})` : `from ${fromWhere(p)}`;
  return `Canary key "${p.key.name}" in team "${p.teamName}" was used at ${formatWhen(p.at)} ${detail}.`;
}

export function canaryNoticeMail(p: CanaryNoticeParams) {
  const subject = withTeam(`Keywarden canary "${p.key.name}" was used from ${fromWhere(p)}`, p.teamName);
  const [first] = p.sources;
  const facts: [string, string][] = [
    ['Team', p.teamName],
    ['Canary', `${p.key.name} (${p.key.hint})`],
    ['When', formatWhen(p.at)],
    ...(p.sources.length === 1 && first
      ? ([
          ['Source address', reported(first.ip, 'unknown')],
          ['User agent', reported(first.userAgent, 'none sent')],
        ] as [string, string][])
      : p.sources.map((u, i): [string, string] => [`Source ${i + 1}`, sourceLine(u)])),
    ...(p.more > 0 ? ([['More', `${p.more} more use${p.more === 1 ? '' : 's'} from other addresses this hour`]] as [string, string][]) : []),
  ];
  const what = 'Nobody should ever use a canary key: whoever presented it found it where it was planted. The caller was told the key does not exist. Further uses this hour raise no new alarm: the audit log lists their addresses (the first 20 of the hour).';
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
