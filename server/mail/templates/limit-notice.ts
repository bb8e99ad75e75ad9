import { formatCount } from '../../../shared/plural';
import { escapeHtml, layout, withTeam } from './layout';

/**
 * The words of issue 25's alerts (credits low, credits exhausted, rate limited): the one line of the
 * in-app notice and, for credits, the email. Pure.
 */
export type LimitNoticeKind = 'key_credits_low' | 'key_credits_exhausted' | 'key_rate_limited';

export interface LimitNoticeParams {
  kind: LimitNoticeKind;
  teamName: string;
  keyName: string;
  hint: string;
  /** Credits left (credits alerts) and the 100% they are measured against. */
  remaining: number;
  base: number;
  /** The limits that refused (rate limited). */
  limits: string[];
  publicUrl: string;
}

export function limitNoticeLine(p: LimitNoticeParams): string {
  const key = `The key “${p.keyName}” (${p.hint}) of ${p.teamName}`;
  switch (p.kind) {
    case 'key_credits_low':
      return `${key} has ${formatCount(p.remaining)} of ${formatCount(p.base)} credits left; its calls are refused at 0 (USAGE_EXCEEDED).`;
    case 'key_credits_exhausted':
      return `${key} has used all its credits: its calls are refused (USAGE_EXCEEDED) until it is topped up or refilled.`;
    case 'key_rate_limited':
      return `${key} was rate-limited today (${p.limits.join(', ') || 'its limit'}); the usage chart counts its refused calls.`;
  }
}

export function limitNoticeMail(p: LimitNoticeParams): { subject: string; text: string; html: string } {
  const SUBJECTS: Record<LimitNoticeKind, string> = {
    key_credits_low: `API key "${p.keyName}" is low on credits`,
    key_credits_exhausted: `API key "${p.keyName}" is out of credits`,
    key_rate_limited: `API key "${p.keyName}" was rate-limited`,
  };
  const subject = withTeam(SUBJECTS[p.kind], p.teamName);
  const line = limitNoticeLine(p);
  const how = 'An admin can top it up or change its refill in the key details panel.';
  const text = [line, '', how, '', `Keywarden: ${p.publicUrl}`].join('\n');
  return { subject, text, html: layout(subject, `<p>${escapeHtml(line)}</p>\n<p>${escapeHtml(how)}</p>`) };
}
