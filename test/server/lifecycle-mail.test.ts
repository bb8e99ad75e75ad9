import { describe, expect, it } from 'vitest';
import { keyNoticeHeadline } from '../../server/mail/templates/in-app-notice';
import { keyNoticeMail } from '../../server/mail/templates/key-notice';
import type { KeyNoticeParams } from '../../server/mail/templates/key-notice-params';

/** The email of every key-lifecycle notice kind, as notify.publish renders it (the template is pure). */
const base: KeyNoticeParams = {
  kind: 'key_rotated',
  teamName: 'Acme',
  keys: [{ name: 'billing', hint: 'kw_Ab…yz', expiresAt: new Date('2026-12-02T10:00:00Z') }],
  actorEmail: 'ann@example.test',
  actorIsOwner: false,
  reason: null,
  at: new Date('2026-12-01T10:00:00Z'),
  thresholdDays: null,
  publicUrl: 'https://keywarden.example.test',
};

const cases: [KeyNoticeParams, string, RegExp][] = [
  [base, 'Your Keywarden API key "billing" was rotated in team "Acme"', /ann@example\.test rotated your API key in team "Acme"[\s\S]*previous key works until 2026-12-02 10:00 UTC/],
  [{ ...base, reason: 'grace_ending', actorEmail: null }, 'Your previous Keywarden API key "billing" stops working within the hour and is still in use in team "Acme"', /still used in the last hour of its grace period/],
  [{ ...base, kind: 'key_idle_warning', reason: 'idle', actorEmail: null, thresholdDays: 5 }, 'Your unused Keywarden API key "billing" will be disabled in 5 days in team "Acme"', /one verified request cancels the warning/],
  [{ ...base, kind: 'key_idle_disabled', reason: 'idle', actorEmail: null }, 'Your unused Keywarden API key "billing" was disabled in team "Acme"', /ask a team admin to enable it again/],
  [{ ...base, kind: 'key_request_created', actorEmail: 'mia@example.test', reason: 'nightly export' }, 'Key request: "billing" from mia@example.test in team "Acme"', /Reason: nightly export/],
  [{ ...base, kind: 'key_request_approved' }, 'Your request for the Keywarden API key "billing" was approved in team "Acme"', /within 7 days/],
  [{ ...base, kind: 'key_request_denied', reason: 'use staging' }, 'Your request for the Keywarden API key "billing" was denied in team "Acme"', /Note: use staging/],
];

describe('lifecycle notice emails', () => {
  it.each(cases)('renders %#: subject, text and html', (params, subject, text) => {
    const mail = keyNoticeMail(params);
    expect(mail.subject).toBe(subject);
    expect(mail.text).toMatch(text);
    expect(mail.text).toContain('What to do next:');
    expect(mail.html).toContain('<html');
    expect(keyNoticeHeadline(params)).toContain('“billing”');
  });

  it('groups several keys of one owner in one idle mail', () => {
    const mail = keyNoticeMail({ ...base, kind: 'key_idle_warning', thresholdDays: 3, keys: [base.keys[0]!, { name: 'other', hint: 'kw_Cd…wx', expiresAt: null }] });
    expect(mail.subject).toBe('2 of your unused Keywarden API keys will be disabled in 3 days in team "Acme"');
    expect(mail.text).toContain('  - billing (kw_Ab…yz)');
    expect(mail.text).toContain('  - other (kw_Cd…wx)');
  });
});
