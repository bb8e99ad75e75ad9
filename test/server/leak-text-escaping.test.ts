import { describe, expect, it } from 'vitest';
import { csvField } from '../../server/lib/csv';
import { canaryNoticeMail, canaryNoticeSummary, leakNoticeMail, leakNoticeSummary } from '../../server/mail/templates/leak-notice';

/**
 * Issue 20, item 7: text a stranger supplied (where a leak was seen, the address and user agent a
 * canary was used from) is shown escaped wherever it is shown: emails, in-app texts, CSV exports.
 * Stored reports from before the URL check, and headers, can still hold such text.
 */
const FORGED = 'https://paste.example/\u202Egnp.exe\u0085\u001b[2J';
/** Raw control and bidi characters (a line break is the text's own). */
// Matching control characters is the point here.
// eslint-disable-next-line no-control-regex
const RAW = /[\u0000-\u0009\u000B-\u001F\u007F-\u009F\u202A-\u202E\u2066-\u2069]/;

describe('the leak emails and in-app texts', () => {
  const base = { teamName: 'Acme', key: { name: 'ci', hint: 'kw_ab…cd' }, at: new Date('2026-12-01T10:00:00Z'), publicUrl: 'https://keywarden.example' };

  it('show a reported url with its control and bidi characters escaped', () => {
    const p = { ...base, ownerEmail: 'o@example.test', toOwner: false, source: 'public_report' as const, url: FORGED, action: 'revoked' as const };
    const mail = leakNoticeMail(p);
    for (const text of [mail.subject, mail.text, mail.html, leakNoticeSummary(p)]) expect(text).not.toMatch(RAW);
    expect(mail.text).toContain('Found: https://paste.example/\\u202egnp.exe\\u0085\\u001b[2J');
  });

  it("show a canary user's address and user agent escaped", () => {
    const p = { ...base, sources: [{ ip: '203.0.113.9\u202E', userAgent: 'curl\u0085/8\u2066', at: base.at }], more: 0 };
    const mail = canaryNoticeMail(p);
    for (const text of [mail.subject, mail.text, mail.html, canaryNoticeSummary(p)]) expect(text).not.toMatch(RAW);
    expect(mail.text).toContain('User agent: curl\\u0085/8\\u2066');
  });
});

describe('a CSV cell', () => {
  it('shows control and bidi characters as escapes, keeping tabs and line breaks in a quoted cell', () => {
    expect(csvField(FORGED)).toBe('https://paste.example/\\u202egnp.exe\\u0085\\u001b[2J');
    expect(csvField('two\nlines')).toBe('"two\nlines"');
  });

  it('defuses formulas, full-width ones too', () => {
    for (const formula of ['=HYPERLINK("http://evil")', '+1', '-1', '@SUM(A1)', '\tx', '\uFF1D1+1', '\uFF0B1', '\uFF20x']) expect(csvField(formula).replace(/^"/, '')).toMatch(/^'/);
    expect(csvField('plain')).toBe('plain');
  });
});
