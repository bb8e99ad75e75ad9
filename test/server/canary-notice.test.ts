import { describe, expect, it } from 'vitest';
import { canaryNoticeMail, canaryNoticeSummary } from '../../server/mail/templates/leak-notice';

/** Issue 20, item 8: the hour's one canary alarm lists the sources seen by the time it is sent. */
const at = new Date('2026-12-01T10:00:00Z');
const base = { teamName: 'Acme', key: { name: 'aws-prod-backup', hint: 'kw_ab…cd' }, at, publicUrl: 'https://keywarden.example' };
const source = (i: number) => ({ ip: `192.0.2.${i}`, userAgent: `bot/${i}`, at: new Date(at.getTime() + i * 1000) });

describe('the canary alarm', () => {
  it('names the one source when there was one', () => {
    const p = { ...base, sources: [source(1)], more: 0 };
    expect(canaryNoticeMail(p).subject).toBe('Keywarden canary "aws-prod-backup" was used from 192.0.2.1 in team "Acme"');
    expect(canaryNoticeMail(p).text).toContain('Source address: 192.0.2.1\nUser agent: bot/1');
    expect(canaryNoticeSummary(p)).toContain('from 192.0.2.1 (bot/1)');
  });

  it('lists every source seen by then, and counts the uses past the 20 listed', () => {
    const p = { ...base, sources: Array.from({ length: 20 }, (_, i) => source(i + 1)), more: 7 };
    const mail = canaryNoticeMail(p);
    expect(mail.subject).toBe('Keywarden canary "aws-prod-backup" was used from 192.0.2.1 and 19 other addresses (and more) in team "Acme"');
    for (let i = 1; i <= 20; i++) expect(mail.text).toContain(`Source ${i}: 192.0.2.${i} (bot/${i})`);
    expect(mail.text).toContain('More: 7 more uses from other addresses this hour');
    expect(canaryNoticeSummary({ ...base, sources: [source(1), source(2)], more: 0 })).toContain('from 192.0.2.1 and 1 other address.');
  });
});
