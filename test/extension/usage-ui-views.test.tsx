import { fireEvent, render, screen, waitFor, within } from '@testing-library/preact';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { KeyUsage, UsageOverview as Overview } from '../../shared/schemas/usage';
import { KeyTable } from '../../extension/components/KeyTable';
import { UsageChart } from '../../extension/components/UsageChart';
import { KeyDetails } from '../../extension/entrypoints/dashboard/KeyDetails';
import { UsageOverview } from '../../extension/entrypoints/dashboard/UsageOverview';
import { rowUsageLoader } from '../../extension/hooks/use-key-usage';
import type { Api } from '../../extension/lib/api';
import { triedAfterStop } from '../../extension/lib/usage';
import { signedIn } from '../helpers/signed-in';
import { DAY, MIN, noDeny, noFail, PATIENT, row, usage7d } from '../helpers/usage-ui';

/**
 * What the extension shows of usage: rows' sparklines and use after revoke, the key details panel
 * and the team overview, all over a fake API that answers like the server. The revoke confirmations'
 * sentences are in usage-ui-revoke.test.tsx.
 */
afterEach(() => {
  vi.restoreAllMocks();
  vi.unstubAllGlobals();
});

describe('rows: 7-day sparklines and use after revoke', () => {
  /** happy-dom's IntersectionObserver never reports: this one says every row is on screen. */
  const everyRowVisible = () =>
    vi.stubGlobal(
      'IntersectionObserver',
      class {
        constructor(private readonly cb: IntersectionObserverCallback) {}
        observe(el: Element) {
          queueMicrotask(() => this.cb([{ isIntersecting: true, target: el } as IntersectionObserverEntry], this as unknown as IntersectionObserver));
        }
        disconnect() {}
      },
    );

  it('draws a row’s 7 days from keys.usage, and reads nothing for a key unused all week', async () => {
    everyRowVisible();
    const fetch = vi.fn(async (keyId: string) => usage7d(keyId, [0, 1, 4, 0, 2, 9, 3]));
    const load = rowUsageLoader(fetch, 2);
    render(<KeyTable rows={[row('key_busy', { usage: { last24h: 3, last7d: 19 } }), row('key_idle')]} caption="Keys" usageOf={load} />);
    const busy = await screen.findByRole('img', { name: /^Valid uses per day, last 7 days: Mar 4 0, Mar 5 1, Mar 6 4/ }, PATIENT);
    expect(busy.querySelector('.spark-valid')).not.toBeNull();
    expect(screen.getByText('3 in 24 h')).toBeTruthy();
    expect(screen.getByRole('img', { name: 'Not used in the last 7 days' })).toBeTruthy();
    expect(fetch.mock.calls).toEqual([['key_busy']]);
  });

  it('reads two rows at a time, keeps each answer under the row’s counts, and asks again after a failure', async () => {
    const pending: { keyId: string; resolve(u: KeyUsage): void; reject(e: Error): void }[] = [];
    const fetch = vi.fn((keyId: string) => new Promise<KeyUsage>((resolve, reject) => pending.push({ keyId, resolve, reject })));
    const load = rowUsageLoader(fetch, 2);
    const rows = ['a', 'b', 'c'].map((id) => row(id, { usage: { last24h: 1, last7d: 1 } }));
    const answers = rows.map((r) => load(r));
    expect(pending.map((p) => p.keyId)).toEqual(['a', 'b']);
    pending[0]!.resolve(usage7d('a', [1]));
    await answers[0];
    await waitFor(() => expect(pending.map((p) => p.keyId)).toEqual(['a', 'b', 'c']), PATIENT);
    pending[1]!.reject(new Error('offline'));
    await expect(answers[1]).rejects.toThrow('offline');
    pending[2]!.resolve(usage7d('c', [1]));

    expect(load(rows[0]!)).toBe(answers[0]);
    void load(rows[1]!);
    expect(fetch).toHaveBeenCalledTimes(4);
    // New counts after a reload: the row's week is read again.
    void load({ ...rows[0]!, usage: { last24h: 2, last7d: 2 } });
    await waitFor(() => expect(fetch).toHaveBeenCalledTimes(5), PATIENT);
  });

  it('shows how often a revoked or disabled key was tried since, and when last from its 7 days', async () => {
    everyRowVisible();
    const lastFailure = { at: new Date(Date.now() - 2 * 3_600_000), code: 'REVOKED' as const, ip: '198.51.100.7', userAgent: 'curl/8' };
    const load = rowUsageLoader(async (keyId) => usage7d(keyId, [0, 0, 0, 0, 0, 0, 0], { lastFailure }), 2);
    render(
      <KeyTable
        rows={[
          row('key_gone', { status: 'revoked', revokedReason: 'manual', triedAfterRevoke: 5 }),
          row('key_off', { status: 'disabled', disabledReason: 'manual', triedAfterRevoke: 1 }),
          row('key_old', { status: 'revoked', revokedReason: 'expired', triedAfterRevoke: 0 }),
        ]}
        caption="Keys"
        usageOf={load}
      />,
    );
    await screen.findByText('tried 5 times since revoked, last 2 hours ago', {}, PATIENT);
    await screen.findByText('tried once since disabled, last 2 hours ago', {}, PATIENT);
    expect(triedAfterStop({ status: 'revoked', revokedReason: 'expired', triedAfterRevoke: 3 })).toBe('tried 3 times since it expired');
    expect(triedAfterStop({ status: 'enabled', revokedReason: null, triedAfterRevoke: 3 })).toBeNull();
  });

  it('opens a key’s details from its name, with a link over the cell that leaves the cell’s text the name alone', () => {
    const onOpen = vi.fn();
    render(<KeyTable rows={[row('key_1')]} caption="Keys" onOpen={onOpen} />);
    const link = screen.getByRole('link', { name: 'Details of key key_1' });
    expect(link.closest('td')!.textContent).toBe('key key_1');
    fireEvent.click(link);
    expect(onOpen).toHaveBeenCalledWith(expect.objectContaining({ id: 'key_1' }));
  });
});

describe('pictures', () => {
  it('sums a chart up for screen readers: totals and the busiest bucket', () => {
    const buckets = [
      { at: new Date(Date.UTC(2026, 2, 8)), valid: 3, failed: noFail },
      { at: new Date(Date.UTC(2026, 2, 9)), valid: 40, failed: { REVOKED: 2, DISABLED: 0, EXPIRED: 0 } },
      { at: new Date(Date.UTC(2026, 2, 10)), valid: 0, failed: noFail },
    ];
    const { container } = render(<UsageChart buckets={buckets} bucket="day" label="Uses per day" />);
    expect(screen.getByRole('img').getAttribute('aria-label')).toBe('Uses per day: 43 valid uses and 2 refused tries; busiest day Mar 9 with 40 valid and 2 refused.');
    expect(container.querySelectorAll('rect.chart-valid')).toHaveLength(2);
    expect(container.querySelectorAll('rect.chart-failed')).toHaveLength(1);
  });

  it('shows a key’s 30 days, last address and user agent, last refused try, and its history from the audit log', async () => {
    HTMLDialogElement.prototype.showModal ??= function (this: HTMLDialogElement) {
      this.open = true;
    };
    const at = (daysAgo: number) => new Date(Date.now() - daysAgo * DAY);
    const usage = vi.fn(async () => ({
      ...usage7d('key_1', Array.from({ length: 30 }, (_, i) => (i === 29 ? 12 : 0))),
      range: '30d',
      totals: { valid: 12, failed: { REVOKED: 3, DISABLED: 0, EXPIRED: 0 } },
      distinctIps: 2,
      lastUsedAt: new Date(Date.now() - 5 * MIN),
      lastIp: '203.0.113.5',
      lastUserAgent: 'deploy-bot/1.2',
      lastFailure: { at: new Date(Date.now() - MIN * 2), code: 'REVOKED', ip: '198.51.100.7', userAgent: null },
    }));
    const audit = (id: string, action: string, ids: string[], daysAgo: number, details: Record<string, unknown> | null = null) => ({
      id,
      at: at(daysAgo),
      action,
      actor: { userId: 'usr_a', email: 'ann@example.test', role: 'admin' },
      targets: { ids, count: ids.length },
      details,
      ip: '10.1.1.1',
      userAgent: null,
    });
    const list = vi.fn(async ({ cursor }: { cursor?: string }) =>
      cursor
        ? { items: [audit('a3', 'key.created', ['key_1'], 20)], nextCursor: 'c2' }
        : { items: [audit('a1', 'key.revoked', ['key_1', 'key_2'], 0, { reason: 'bulk' }), audit('a2', 'key.disabled', ['key_9'], 1)], nextCursor: 'c1' },
    );
    const api = { keys: { usage: { query: usage } }, audit: { list: { query: list } } } as unknown as Api;
    const keyRef = { id: 'key_1', name: 'deploy', hint: 'kw_Ab…yz', status: 'revoked' as const, revokedReason: 'bulk' as const, disabledReason: null, triedAfterRevoke: 3 };
    render(signedIn(api, <KeyDetails teamId="team_1" keyRef={keyRef} admin onClose={vi.fn()} />));

    const dialog = screen.getByRole('dialog', { hidden: true });
    await within(dialog).findByText('deploy-bot/1.2', {}, PATIENT);
    expect(usage).toHaveBeenCalledWith({ teamId: 'team_1', keyId: 'key_1', range: '30d' });
    expect(dialog.textContent).toContain('tried 3 times since revoked, last 2 minutes ago');
    expect(dialog.textContent).toContain('5 minutes ago');
    expect(dialog.textContent).toContain('from 203.0.113.5');
    expect(dialog.textContent).toContain('Refused3, all while revoked');
    expect(dialog.textContent).toContain('Seen from2 addresses');
    expect(within(dialog).getByRole('img', { hidden: true }).getAttribute('aria-label')).toMatch(/^Uses of “deploy” per day, last 30 days: 12 valid uses/);

    const history = await within(dialog).findByRole('list', { hidden: true }, PATIENT);
    expect(within(history).getAllByRole('listitem', { hidden: true }).map((li) => li.textContent)).toEqual([
      expect.stringMatching(/Revoked \(revoked in bulk\) by ann@example\.test \(Admin\) from 10\.1\.1\.1, with 1 other key$/),
      expect.stringMatching(/Generated by ann@example\.test \(Admin\) from 10\.1\.1\.1$/),
    ]);
    expect(list).toHaveBeenCalledTimes(2);
    expect(dialog.textContent).toContain('looked through the newest 400 entries of the audit log');
  });

  it('shows the team overview and takes the admin to never-used and idle keys', async () => {
    const overview: Overview = {
      range: '7d',
      bucket: 'day',
      buckets: Array.from({ length: 7 }, (_, i) => ({ at: new Date(Date.UTC(2026, 2, 4 + i)), valid: i * 10, failed: noFail, denied: noDeny })),
      totals: { valid: 210, failed: { REVOKED: 4, DISABLED: 1, EXPIRED: 0 }, denied: noDeny },
      keysUsed: 6,
      topKeys: [{ keyId: 'key_top', name: 'deploy', hint: 'h', status: 'enabled', valid: 200, failed: 0 }],
      neverUsed: 3,
      unusedFor30Days: 2,
    };
    const query = vi.fn(async () => overview);
    const onShowIdle = vi.fn();
    const onOpenKey = vi.fn();
    render(signedIn({ usage: { overview: { query } } } as unknown as Api, <UsageOverview teamId="team_1" onOpenKey={onOpenKey} onShowIdle={onShowIdle} />));
    const section = await screen.findByRole('region', { name: 'Usage' }, PATIENT);
    await within(section).findByText('deploy', {}, PATIENT);
    expect(query).toHaveBeenCalledWith({ teamId: 'team_1', range: '7d' });
    expect(section.textContent).toContain('210 valid verifications');
    expect(section.textContent).toContain('5 refused');
    expect(section.textContent).toContain('6 keys used');
    fireEvent.click(within(section).getByRole('button', { name: 'Show the 3 never-used keys in the list' }));
    expect(onShowIdle).toHaveBeenCalledWith('never', 3);
    fireEvent.click(within(section).getByRole('button', { name: 'Show the 2 working keys not used for 30 days in the list' }));
    expect(onShowIdle).toHaveBeenCalledWith('idle', 2);
    fireEvent.click(within(section).getByRole('link', { name: 'deploy' }));
    expect(onOpenKey).toHaveBeenCalledWith({ id: 'key_top', name: 'deploy', hint: 'h', status: 'enabled' });

    fireEvent.change(within(section).getByLabelText('Period'), { target: { value: '24h' } });
    await waitFor(() => expect(query).toHaveBeenLastCalledWith({ teamId: 'team_1', range: '24h' }), PATIENT);
  });
});
