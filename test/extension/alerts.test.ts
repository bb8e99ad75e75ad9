import { TRPCClientError } from '@trpc/client';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { browser } from 'wxt/browser';
import { fakeBrowser } from 'wxt/testing/fake-browser';
import { forgetEtag, pollAlerts, type AlertDeps, type AlertSummaryResult } from '../../extension/lib/alerts';
import { badgeFor } from '../../server/services/alert-badge';
import { endSession, seenNoticesItem, sessionItem, signOutReasonItem, updateSettings, type Session } from '../../extension/lib/storage';

const session: Session = { token: 'tok', serverUrl: 'http://kw.test', user: { id: 'usr_1', email: 'a@example.test', name: 'A' }, teams: [] };
/** A summary's counts with the badge the server sends for them. */
const counts = (revokedUnread: number, expiringSoon: number) => ({ revokedUnread, expiringSoon, badge: badgeFor({ revokedUnread, expiringSoon }) });
/** A revocation as the server words it: its desktop title comes with it. */
const revoked = (id: string, readAt: Date | null = null) => ({ id, message: `revoked ${id}`, desktopTitle: 'Your API key was revoked', readAt });

function deps(summary: AlertDeps['summary']) {
  const notify = vi.fn(async () => {});
  return { deps: { summary, action: browser.action, notify } satisfies AlertDeps, notify };
}

beforeEach(() => {
  fakeBrowser.reset();
  forgetEtag();
});

describe('pollAlerts', () => {
  it('clears the badge and asks nothing of the server when signed out', async () => {
    const summary = vi.fn();
    const result = await pollAlerts(deps(summary).deps);
    expect(result).toEqual({ state: 'signed_out' });
    expect(summary).not.toHaveBeenCalled();
    expect(await browser.action.getBadgeText({})).toBe('');
  });

  it('paints the badge and raises one desktop notification per new revocation, never twice', async () => {
    await sessionItem.setValue(session);
    const { deps: d, notify } = deps(async () => ({ ...counts(2, 0), items: [revoked('ntf_1'), revoked('ntf_0', new Date())], etag: '"e1"' }));
    await pollAlerts(d);
    expect(await browser.action.getBadgeText({})).toBe('2');
    expect(notify).toHaveBeenCalledTimes(1);
    expect(notify).toHaveBeenCalledWith(expect.objectContaining({ id: 'notice:ntf_1', title: 'Your API key was revoked' }));
    await pollAlerts(d);
    expect(notify).toHaveBeenCalledTimes(1);
  });

  it('raises a desktop notification only for notices the server gave a desktop title, with that title', async () => {
    await sessionItem.setValue(session);
    const quiet = { id: 'ntf_q', message: 'Your key “ci” was disabled by ann in Acme.', desktopTitle: null, readAt: null };
    const asks = { id: 'ntf_a', message: 'mia asks for a key “ci” in Acme.', desktopTitle: 'A key request is waiting for you', readAt: null };
    const { deps: d, notify } = deps(async () => ({ ...counts(0, 0), items: [quiet, asks], etag: '"e1"' }));
    const result = await pollAlerts(d);
    expect(notify).toHaveBeenCalledTimes(1);
    expect(notify).toHaveBeenCalledWith({ id: 'notice:ntf_a', title: 'A key request is waiting for you', message: 'mia asks for a key “ci” in Acme.' });
    expect(result).toMatchObject({ state: 'ok', notified: ['ntf_a'] });
  });

  it('paints the badge the server sends as it is, without working out one of its own', async () => {
    await sessionItem.setValue(session);
    const badge = { text: '5', color: '#123456', title: 'Keywarden: as the server says' };
    await pollAlerts(deps(async () => ({ revokedUnread: 0, expiringSoon: 0, badge, items: [], etag: '"e"' })).deps);
    expect(await browser.action.getBadgeText({})).toBe('5');
    expect(await browser.action.getTitle({})).toBe('Keywarden: as the server says');
  });

  it('remembers revocations but stays quiet when desktop notifications are off', async () => {
    await sessionItem.setValue(session);
    await updateSettings({ desktopNotifications: false });
    const { deps: d, notify } = deps(async () => ({ ...counts(1, 0), items: [revoked('ntf_2')], etag: '"e"' }));
    await pollAlerts(d);
    expect(notify).not.toHaveBeenCalled();
    expect(await seenNoticesItem.getValue()).toEqual(['ntf_2']);
  });

  it('sends back the etag and leaves the badge alone when the server says nothing changed', async () => {
    await sessionItem.setValue(session);
    const answers: AlertSummaryResult[] = [{ ...counts(1, 0), items: [], etag: '"e1"' }, { unchanged: true, etag: '"e1"' }];
    const summary = vi.fn(async (_session: Session, _etag: string | undefined) => answers.shift()!);
    await pollAlerts(deps(summary).deps);
    const second = await pollAlerts(deps(summary).deps);
    expect(summary.mock.calls.map((c) => c[1])).toEqual([undefined, '"e1"']);
    expect(second).toEqual({ state: 'unchanged' });
    expect(await browser.action.getBadgeText({})).toBe('1');
  });

  it('ends an expired session (401) and says so on the badge tooltip', async () => {
    await sessionItem.setValue(session);
    const unauthorized = TRPCClientError.from({ error: { message: 'Sign in first', code: -32001, data: { code: 'UNAUTHORIZED', httpStatus: 401 } } } as never);
    const result = await pollAlerts(deps(async () => Promise.reject(unauthorized)).deps);
    expect(result).toEqual({ state: 'expired' });
    expect(await sessionItem.getValue()).toBeNull();
    expect(await signOutReasonItem.getValue()).toBe('expired');
    expect(await browser.action.getTitle({})).toMatch(/session expired/);
  });

  it('shows "off" instead of a stale count while the server is unreachable, and says why in the tooltip', async () => {
    await sessionItem.setValue(session);
    await browser.action.setBadgeText({ text: '3' });
    const result = await pollAlerts(deps(async () => Promise.reject(new TypeError('Failed to fetch'))).deps);
    expect(result).toMatchObject({ state: 'error' });
    expect(await browser.action.getBadgeText({})).toBe('off');
    expect(await browser.action.getTitle({})).toMatch(/^Keywarden: offline\. Can't reach the Keywarden server at http:\/\/kw.test/);
  });

  it('keeps the last count when the server answers with an error, and explains it in the tooltip', async () => {
    await sessionItem.setValue(session);
    await browser.action.setBadgeText({ text: '3' });
    const broken = TRPCClientError.from({ error: { message: 'boom', code: -32603, data: { code: 'INTERNAL_SERVER_ERROR', httpStatus: 500 } } } as never);
    expect(await pollAlerts(deps(async () => Promise.reject(broken)).deps)).toMatchObject({ state: 'error' });
    expect(await browser.action.getBadgeText({})).toBe('3');
  });

  it('repaints the tooltip once the server is back after an outage, instead of trusting the old etag', async () => {
    await sessionItem.setValue(session);
    const answers: (AlertSummaryResult | Error)[] = [{ ...counts(1, 0), items: [], etag: '"e1"' }, new TypeError('Failed to fetch'), { ...counts(1, 0), items: [], etag: '"e1"' }];
    const summary = vi.fn(async (_session: Session, etag: string | undefined) => {
      const next = answers.shift()!;
      if (next instanceof Error) throw next;
      return etag === '"e1"' ? { unchanged: true as const, etag } : next;
    });
    await pollAlerts(deps(summary).deps);
    await pollAlerts(deps(summary).deps);
    expect(await browser.action.getTitle({})).toMatch(/Can't reach/);
    expect(await browser.action.getBadgeText({})).toBe('off');
    expect(await pollAlerts(deps(summary).deps)).toMatchObject({ state: 'ok' });
    expect(await browser.action.getBadgeText({})).toBe('1');
    expect(summary.mock.calls.map((c) => c[1])).toEqual([undefined, '"e1"', undefined]);
    expect(await browser.action.getTitle({})).toBe('Keywarden: 1 unread revocation');
  });

  it('still says the session expired when a later poll finds no session', async () => {
    await sessionItem.setValue(session);
    await endSession('expired');
    expect(await pollAlerts(deps(vi.fn()).deps)).toEqual({ state: 'signed_out' });
    expect(await browser.action.getTitle({})).toMatch(/session expired/);
  });

  it('shares one request and one desktop notification between polls asked for at once', async () => {
    await sessionItem.setValue(session);
    const summary = vi.fn(async () => ({ ...counts(1, 0), items: [revoked('ntf_3')], etag: '"e3"' }));
    const { deps: d, notify } = deps(summary);
    const [first, second] = await Promise.all([pollAlerts(d), pollAlerts(d)]);
    expect(second).toBe(first);
    expect(summary).toHaveBeenCalledTimes(1);
    expect(notify).toHaveBeenCalledTimes(1);
  });

  it('runs one more poll after the one in flight when asked for a fresh one, shared by every such caller', async () => {
    await sessionItem.setValue(session);
    const answers: AlertSummaryResult[] = [{ ...counts(1, 0), items: [], etag: '"e1"' }, { ...counts(0, 0), items: [], etag: '"e2"' }];
    const summary = vi.fn(async (_session: Session, _etag: string | undefined) => answers.shift()!);
    const d = deps(summary).deps;
    const [, fresh, alsoFresh] = await Promise.all([pollAlerts(d), pollAlerts(d, { fresh: true }), pollAlerts(d, { fresh: true })]);
    expect(alsoFresh).toBe(fresh);
    expect(summary.mock.calls.map((c) => c[1])).toEqual([undefined, '"e1"']);
    expect(await browser.action.getBadgeText({})).toBe('');
  });
});
