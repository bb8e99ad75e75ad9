import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { NotificationKindSchema, type NotificationKind } from '../../shared/schemas/notification';
import { desktopTitle, keyNoticeHeadline, NOTICE_LABELS } from '../../server/mail/templates/in-app-notice';
import { keyNoticeMail } from '../../server/mail/templates/key-notice';
import { canaryNoticeMail, canaryNoticeSummary, leakNoticeMail, leakNoticeSummary, tokenLeakNoticeMail, tokenLeakNoticeSummary } from '../../server/mail/templates/leak-notice';
import type { KeyNoticeParams } from '../../server/mail/templates/key-notice-params';
import { createTeam, startTestServer, type TestServer } from '../helpers/harness';
import { limitNoticeLine, limitNoticeMail, type LimitNoticeKind } from '../../server/mail/templates/limit-notice';
import { adminActor, issueKey } from '../helpers/notify';

/**
 * The server words every notice (its line, its tag, its desktop title) and the extension shows
 * them as given: these are the sentences the popup used to put together itself.
 */
const base: KeyNoticeParams = {
  kind: 'key_revoked',
  teamName: 'Acme',
  keys: [{ name: 'ci', hint: 'kw_AbCd…wxyz', expiresAt: null, revoked: true }],
  actorEmail: 'admin@example.test',
  actorIsOwner: false,
  reason: 'manual',
  at: new Date('2026-01-02T10:00:00Z'),
  thresholdDays: null,
  publicUrl: 'https://keywarden.example.test',
};
const many = (n: number, revoked: boolean) => Array.from({ length: n }, (_, i) => ({ name: `k${i}`, hint: 'kw_…', expiresAt: null, revoked }));

describe('in-app notice wording', () => {
  it('reads right for one key or 667, by whoever did it', () => {
    expect(keyNoticeHeadline(base)).toBe('Your key “ci” was revoked by admin@example.test in Acme.');
    expect(keyNoticeHeadline({ ...base, keys: many(667, true), reason: 'revoke_all' })).toBe('667 of your keys were revoked by admin@example.test (Revoke All) in Acme.');
    expect(keyNoticeHeadline({ ...base, keys: many(2011, true), reason: 'bulk' })).toBe('2,011 of your keys were revoked by admin@example.test in a bulk revoke in Acme.');
    expect(keyNoticeHeadline({ ...base, actorIsOwner: true })).toBe('Your key “ci” was revoked by you in Acme.');
    expect(keyNoticeHeadline({ ...base, kind: 'key_disabled', reason: 'owner_removed' })).toBe('Your key “ci” was disabled by admin@example.test when you left the team in Acme.');
    expect(keyNoticeHeadline({ ...base, kind: 'key_expired', actorEmail: null, reason: 'expired' })).toBe('Your key “ci” expired in Acme and no longer works.');
    expect(keyNoticeHeadline({ ...base, kind: 'key_expiring', actorEmail: null, reason: null, thresholdDays: 1, keys: many(3, false) })).toBe('3 of your keys expire within 1 day in Acme.');
  });

  it('does not say the policy ended a key it only shortened, and counts those it did end', () => {
    const policy = { ...base, kind: 'policy_changed' as const, reason: 'policy' };
    expect(keyNoticeHeadline({ ...policy, keys: [{ ...base.keys[0]!, revoked: false }] })).toBe('The expiry policy of Acme shortened the life of your key “ci”.');
    expect(keyNoticeHeadline({ ...policy, keys: [...many(2, true), ...many(3, false)] })).toBe('The expiry policy of Acme shortened the life of 5 of your keys; 2 of them ended at once.');
  });

  it('tags every kind, and gives a desktop title to revocations, leak alarms and notices that ask for action only', () => {
    for (const kind of NotificationKindSchema.options) expect(NOTICE_LABELS[kind]).toMatch(/\w/);
    const title = (kind: KeyNoticeParams['kind'], keyCount = 1, reason: string | null = null) => desktopTitle({ kind, reason, keyCount });
    expect(title('key_revoked')).toBe('Your API key was revoked');
    expect(title('key_expired', 3)).toBe('3 of your API keys were revoked');
    expect(title('key_leaked')).toBe('An API key of your team leaked');
    expect(title('canary_triggered')).toBe('A canary key was used');
    expect(title('token_leaked')).toBe('An API token of your team leaked');
    expect(title('key_rotated', 1, 'grace_ending')).toBe('Your previous API key stops working within the hour');
    for (const quiet of ['key_disabled', 'key_expiring', 'policy_changed', 'key_used_after_revoke', 'key_idle_disabled', 'key_request_denied'] as const) expect(title(quiet)).toBeNull();
    expect(title('key_rotated')).toBeNull();
  });
});

describe('every notice and every email names its team', () => {
  const teamName = 'Globex North';
  const params = (kind: NotificationKind, over: Partial<KeyNoticeParams> = {}): KeyNoticeParams => ({ ...base, kind, teamName, ...over });
  const keyNotice = (p: KeyNoticeParams) => ({ message: keyNoticeHeadline(p), mail: keyNoticeMail(p) });
  const leak = { teamName, key: { name: 'ci', hint: 'kw_ab…cd' }, ownerEmail: 'mia@example.test', toOwner: true, source: 'public_report' as const, url: null, at: base.at, publicUrl: base.publicUrl };
  const tokenLeak = { teamName, token: { name: 'ci deploy', hint: 'kwt_ab…cd' }, creatorEmail: 'mia@example.test', source: 'github' as const, url: 'https://github.com/acme/app\u202e/ci.yml', at: base.at, publicUrl: base.publicUrl };
  const canary = { teamName, key: { name: 'trap', hint: 'kw_ab…cd' }, sources: [{ ip: '192.0.2.1', userAgent: 'curl/8', at: base.at }], more: 0, at: base.at, publicUrl: base.publicUrl };
  /**
   * Each kind as its writer words it; a new kind fails the typecheck here until it is added. The
   * "used after revoke" line is written by usage-notices.ts from the team it reads (usage-notices.test.ts
   * checks it names the team), and it sends no email.
   */
  const worded: Record<Exclude<NotificationKind, 'key_used_after_revoke'>, { message: string; mail: { subject: string; text: string; html: string } }[]> = {
    key_revoked: [keyNotice(params('key_revoked')), keyNotice(params('key_revoked', { keys: many(3, true), reason: 'revoke_all' }))],
    key_disabled: [keyNotice(params('key_disabled'))],
    key_expiring: [keyNotice(params('key_expiring', { thresholdDays: 7, reason: null, actorEmail: null }))],
    key_expired: [keyNotice(params('key_expired', { reason: 'expired', actorEmail: null }))],
    policy_changed: [keyNotice(params('policy_changed', { reason: 'policy', maxLifetimeDays: 30 }))],
    key_leaked: (['revoked', 'disabled', 'notified'] as const).map((action) => ({ message: leakNoticeSummary({ ...leak, action }), mail: leakNoticeMail({ ...leak, action }) })),
    canary_triggered: [{ message: canaryNoticeSummary(canary), mail: canaryNoticeMail(canary) }],
    token_leaked: [true, false].map((toCreator) => ({ message: tokenLeakNoticeSummary({ ...tokenLeak, toCreator }), mail: tokenLeakNoticeMail({ ...tokenLeak, toCreator }) })),
    key_rotated: [keyNotice(params('key_rotated')), keyNotice(params('key_rotated', { reason: 'grace_ending' }))],
    key_idle_warning: [keyNotice(params('key_idle_warning', { thresholdDays: 5, reason: 'idle', actorEmail: null }))],
    key_idle_disabled: [keyNotice(params('key_idle_disabled', { reason: 'idle', actorEmail: null }))],
    key_request_created: [keyNotice(params('key_request_created', { reason: 'nightly export' }))],
    key_request_approved: [keyNotice(params('key_request_approved', { reason: null }))],
    key_request_denied: [keyNotice(params('key_request_denied', { reason: 'use staging' }))],
    ...Object.fromEntries(
      (['key_credits_low', 'key_credits_exhausted', 'key_rate_limited'] as const).map((kind) => {
        const p = { kind, teamName, keyName: 'ci', hint: 'kw_ab…cd', remaining: 5, base: 100, limits: ['api'], publicUrl: base.publicUrl };
        return [kind, [{ message: limitNoticeLine(p), mail: limitNoticeMail(p) }]];
      }),
    ) as Record<LimitNoticeKind, { message: string; mail: { subject: string; text: string; html: string } }[]>,
  };

  it.each(Object.entries(worded))('%s: in its in-app line, its email subject and its email body', (_kind, notices) => {
    for (const { message, mail } of notices) {
      expect(message).toContain(teamName);
      expect(mail.subject).toContain(`in team "${teamName}"`);
      expect(mail.text).toContain(teamName);
      expect(mail.html).toContain(teamName);
    }
  });
});

describe('notices over the API', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer({ label: 'notice-wording' });
  });
  afterAll(() => server.close());

  it('come worded: the line, the tag and the desktop title, in notifications.list and alerts.summary alike', async () => {
    const team = await createTeam(server, 'Wording');
    const member = await team.addUser('mia');
    const key = await issueKey(server, member, team.teamId, 'billing');
    await server.services.keyActions.run({ teamId: team.teamId, kind: 'revoke', reason: 'manual', actor: adminActor(team.admin), keyIds: [key.id] });

    const { items } = await member.api.notifications.list.query({});
    expect(items).toHaveLength(1);
    expect(items[0]).toMatchObject({
      kind: 'key_revoked',
      message: `Your key “billing” was revoked by ${team.admin.email} in Wording.`,
      label: 'Revoked',
      desktopTitle: 'Your API key was revoked',
    });
    const summary = await member.api.alerts.summary.query();
    expect(summary.unchanged ? null : summary.items[0]).toMatchObject({ message: items[0]!.message, label: 'Revoked', desktopTitle: 'Your API key was revoked' });
  });
});

describe('token_leaked', () => {
  const p = { teamName: 'Acme', token: { name: 'ci deploy', hint: 'kwt_ab…cd' }, creatorEmail: 'mia@example.test', toCreator: false, source: 'public_report' as const, url: 'https://paste.example/t\u202e\nFake: line', at: base.at, publicUrl: base.publicUrl };

  it('says the token was revoked, in which team and where it was found, with the reported address escaped', () => {
    const line = tokenLeakNoticeSummary(p);
    expect(line.startsWith('API token "ci deploy" leaked: revoked in team "Acme".')).toBe(true);
    expect(line).toContain('https://paste.example/t');
    expect(line).not.toMatch(/[\u202e\n]/);
    const mail = tokenLeakNoticeMail(p);
    expect(mail.subject).toBe('Keywarden API token "ci deploy" leaked: revoked in team "Acme"');
    expect(mail.text).toContain('created by mia@example.test');
    expect(mail.text).not.toContain('\u202e');
    expect(mail.text).not.toContain('\nFake: line');
  });
});
