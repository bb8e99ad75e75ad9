import { pick } from '../../../shared/plural';
import type { NotificationKind } from '../../../shared/schemas/notification';
import { formatWhen, type KeyNoticeParams } from './key-notice-params';
import { escapeHtml, layout, withTeam } from './layout';
import { isLifecycleKind, lifecycleKeyLine, lifecycleNext, lifecycleSubject, lifecycleWhat, lifecycleWhy } from './lifecycle-notice';

/**
 * The email for one notice about one owner's keys (its in-app line is
 * notice-headline.ts). Pure: everything it says comes in through `p`.
 */
const REASONS: Record<string, string> = {
  manual: 'revoked individually',
  bulk: 'revoked in a bulk action by a team admin',
  revoke_all: 'a team admin revoked every key of the team',
  expired: 'the key reached its expiry date',
  policy: "the key was older than the team's new maximum key lifetime",
  owner_removed: 'you were removed from the team',
  leaked: 'the key was found in public',
  rotated: 'the key was replaced by rotation and its grace period ended',
  idle: "the key was not used for longer than the team's idle-key policy allows",
};

function subjectOf(p: KeyNoticeParams): string {
  return withTeam(subjectLine(p), p.teamName);
}

function subjectLine(p: KeyNoticeParams): string {
  if (isLifecycleKind(p.kind)) return lifecycleSubject({ ...p, kind: p.kind });
  const n = p.keys.length;
  const only = p.keys[0]?.name ?? '';
  switch (p.kind) {
    case 'key_revoked':
      return n === 1 ? `Your Keywarden API key "${only}" was revoked` : `${n} of your Keywarden API keys were revoked`;
    case 'key_disabled':
      return n === 1 ? `Your Keywarden API key "${only}" was disabled` : `${n} of your Keywarden API keys were disabled`;
    case 'key_expired':
      return n === 1 ? `Your Keywarden API key "${only}" has expired` : `${n} of your Keywarden API keys have expired`;
    case 'key_expiring':
      return n === 1
        ? `Your Keywarden API key "${only}" expires in ${p.thresholdDays} ${pick(p.thresholdDays ?? 0, 'day', 'days')} or less`
        : `${n} of your Keywarden API keys expire within ${p.thresholdDays} ${pick(p.thresholdDays ?? 0, 'day', 'days')}`;
    case 'policy_changed':
      return `Your team's expiry policy changed ${n} of your Keywarden API ${pick(n, 'key', 'keys')}`;
    // Leak alarms have their own templates (leak-notice.ts); these lines only keep this one total.
    case 'key_leaked':
      return n === 1 ? `Your Keywarden API key "${only}" leaked` : `${n} of your Keywarden API keys leaked`;
    case 'token_leaked':
      return `A Keywarden API token "${only}" leaked`;
    case 'canary_triggered':
      return `A Keywarden canary key was used`;
    case 'key_used_after_revoke':
      return n === 1 ? `The revoked Keywarden API key "${only}" is still being used` : `${n} revoked Keywarden API keys are still being used`;
    // Issue 25's limit alerts have their own words (limit-notice.ts); these lines only keep this one total.
    case 'key_credits_low':
    case 'key_credits_exhausted':
    case 'key_rate_limited':
      return `Your Keywarden API key "${only}" reached a limit`;
  }
}

export function whatHappened(p: KeyNoticeParams): string {
  if (isLifecycleKind(p.kind)) return lifecycleWhat({ ...p, kind: p.kind });
  const n = p.keys.length;
  const who = p.actorIsOwner ? 'You' : p.actorEmail ? `${p.actorEmail}` : 'Keywarden';
  const yours = `${n === 1 ? 'your API key' : `${n} of your API keys`} in team "${p.teamName}"`;
  switch (p.kind) {
    case 'key_revoked':
      return `${who} revoked ${yours}.`;
    case 'key_disabled':
      return `${who} disabled ${yours}.`;
    case 'key_expired':
      return `${n === 1 ? 'Your API key' : `${n} of your API keys`} in team "${p.teamName}" expired and no longer ${pick(n, 'works', 'work')}.`;
    case 'key_expiring':
      return `${n === 1 ? 'Your API key' : `${n} of your API keys`} in team "${p.teamName}" will expire within ${p.thresholdDays} ${pick(p.thresholdDays ?? 0, 'day', 'days')}.`;
    case 'policy_changed':
      return `${who} set the maximum key lifetime of team "${p.teamName}" to ${p.maxLifetimeDays ?? '?'} days, which shortened the expiry of ${yours}.`;
    case 'key_leaked':
      return `${n === 1 ? 'Your API key' : `${n} of your API keys`} in team "${p.teamName}" ${pick(n, 'was', 'were')} found in public.`;
    case 'token_leaked':
      return `An API token of team "${p.teamName}" was found in public and revoked.`;
    case 'canary_triggered':
      return `A canary key of team "${p.teamName}" was used.`;
    case 'key_used_after_revoke':
      return `${n === 1 ? 'An API key' : `${n} API keys`} of team "${p.teamName}" that no longer ${pick(n, 'works', 'work')} ${pick(n, 'was', 'were')} still presented to Keywarden.`;
    case 'key_credits_low':
    case 'key_credits_exhausted':
    case 'key_rate_limited':
      return `An API key of team "${p.teamName}" reached its rate limit or credits.`;
  }
}

function nextSteps(p: KeyNoticeParams): string {
  if (isLifecycleKind(p.kind)) return lifecycleNext({ ...p, kind: p.kind });
  const these = pick(p.keys.length, 'this key', 'these keys');
  switch (p.kind) {
    case 'key_revoked':
    case 'key_expired':
      return `Every request made with ${these} is now denied, and this cannot be undone. Generate a new key in Keywarden, replace the old one wherever it is used, and if you did not expect this, talk to your team admin.`;
    case 'key_disabled':
      return `Requests made with ${these} are denied until a team admin enables ${pick(p.keys.length, 'it', 'them')} again. Ask your team admin if you still need ${pick(p.keys.length, 'it', 'them')}.`;
    case 'key_expiring':
      return 'Generate a replacement in Keywarden before then and switch your services over: each key stops working at the instant shown.';
    case 'policy_changed':
      return 'Keys marked "revoked now" no longer work; replace them with new keys. The others stop working at their new expiry time: plan their replacement.';
    case 'key_leaked':
      return `Generate a new key and replace ${these} wherever ${pick(p.keys.length, 'it is', 'they are')} used.`;
    case 'token_leaked':
      return 'Create a new API token and replace the leaked one wherever it is used.';
    case 'canary_triggered':
      return 'Find out where the canary was planted and treat every secret beside it as leaked.';
    case 'key_used_after_revoke':
      return `Find whoever still uses ${these} and give them a new key; if nobody should, ${pick(p.keys.length, 'it', 'they')} may have leaked.`;
    case 'key_credits_low':
    case 'key_credits_exhausted':
    case 'key_rate_limited':
      return 'An admin can change its limits or top up its credits in the key details panel.';
  }
}

function keyLine(k: KeyNoticeParams['keys'][number], kind: NotificationKind): string {
  if (isLifecycleKind(kind)) return lifecycleKeyLine(k, kind);
  if (kind === 'policy_changed') return `${k.name} (${k.hint}) — ${k.revoked ? 'revoked now' : `now expires ${k.expiresAt ? formatWhen(k.expiresAt) : 'never'}`}`;
  if (kind === 'key_expiring' && k.expiresAt) return `${k.name} (${k.hint}) — expires ${formatWhen(k.expiresAt)}`;
  return `${k.name} (${k.hint})`;
}

export function keyNoticeMail(p: KeyNoticeParams) {
  const subject = subjectOf(p);
  const lines = p.keys.map((k) => keyLine(k, p.kind));
  const facts: [string, string][] = [
    ['Team', p.teamName],
    ['When', formatWhen(p.at)],
    ['By', p.actorIsOwner ? 'you' : (p.actorEmail ?? 'Keywarden (automatic)')],
  ];
  if (p.reason && REASONS[p.reason] && p.kind !== 'policy_changed') facts.push(['Why', REASONS[p.reason]!]);
  const note = isLifecycleKind(p.kind) ? lifecycleWhy({ ...p, kind: p.kind }) : null;
  if (note) facts.push([p.kind === 'key_request_denied' ? 'Note' : 'Reason', note]);
  const text = [
    whatHappened(p),
    '',
    ...lines.map((l) => `  - ${l}`),
    '',
    ...facts.map(([k, v]) => `${k}: ${v}`),
    '',
    `What to do next: ${nextSteps(p)}`,
    '',
    `Keywarden: ${p.publicUrl}`,
  ].join('\n');
  const html = layout(
    subject,
    `<p>${escapeHtml(whatHappened(p))}</p>
<ul>${lines.map((l) => `<li><code>${escapeHtml(l)}</code></li>`).join('')}</ul>
<table style="border-collapse:collapse">${facts.map(([k, v]) => `<tr><td style="padding:2px 12px 2px 0;color:#666">${escapeHtml(k)}</td><td>${escapeHtml(v)}</td></tr>`).join('')}</table>
<p><strong>What to do next:</strong> ${escapeHtml(nextSteps(p))}</p>
<p><a href="${escapeHtml(p.publicUrl)}">Open Keywarden</a></p>`,
  );
  return { subject, text, html };
}
