import { fireEvent, render, screen, waitFor, within } from '@testing-library/preact';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { KeyRow } from '../../shared/schemas/key';
import type { KeyUsage, KeyUsageSummary, UsageOverview as Overview } from '../../shared/schemas/usage';
import { KeyTable } from '../../extension/components/KeyTable';
import { MyKeys } from '../../extension/components/MyKeys';
import { RevokeAllDialog } from '../../extension/components/RevokeAllDialog';
import { UsageChart } from '../../extension/components/UsageChart';
import { BulkBar } from '../../extension/entrypoints/dashboard/BulkBar';
import { KeyDetails } from '../../extension/entrypoints/dashboard/KeyDetails';
import { UsageOverview } from '../../extension/entrypoints/dashboard/UsageOverview';
import { rowUsageLoader } from '../../extension/hooks/use-key-usage';
import type { Api } from '../../extension/lib/api';
import { matchingImpact, selectedImpact, teamImpact } from '../../extension/lib/usage-queries';
import { recentUse, selectionUse, triedAfterStop } from '../../extension/lib/usage';
import { keyRow } from '../helpers/key-row';
import { signedIn } from '../helpers/signed-in';

/**
 * What the extension says about usage: the sentences of every revoke confirmation (one key, the
 * ticked keys, every matching key, the whole team), rows' sparklines and use after revoke, the
 * key details panel and the team overview, all over a fake API that answers like the server.
 */
const PATIENT = { timeout: 30_000 };
const MIN = 60_000;
const DAY = 86_400_000;
const NOW = Date.parse('2026-03-10T12:00:00Z');
const owner = { userId: 'usr_1', email: 'mia@example.test', name: 'Mia', role: 'member' as const };
const row = (id: string, over: Partial<KeyRow> = {}): KeyRow => keyRow({ id, name: `key ${id}`, generatedBy: owner, ...over });
const noFail = { REVOKED: 0, DISABLED: 0, EXPIRED: 0 };
const entry = (keyId: string, last24h: number, lastUsedAt: Date | null = null, lastIp: string | null = null) => ({ keyId, last24h, lastUsedAt, lastIp });
const summaryOf = (keys: ReturnType<typeof entry>[]): KeyUsageSummary => ({
  keys,
  usedLast24h: keys.filter((k) => k.last24h > 0).length,
  totalLast24h: keys.reduce((n, k) => n + k.last24h, 0),
});

function usage7d(keyId: string, valid: number[], over: Partial<KeyUsage> = {}): KeyUsage {
  return {
    keyId,
    range: '7d',
    bucket: 'day',
    buckets: valid.map((v, i) => ({ at: new Date(Date.UTC(2026, 2, 4 + i)), valid: v, failed: noFail, distinctIps: v ? 1 : 0 })),
    totals: { valid: valid.reduce((a, b) => a + b, 0), failed: noFail },
    distinctIps: 1,
    distinctIpsCapped: false,
    lastUsedAt: null,
    lastIp: null,
    lastUserAgent: null,
    lastFailure: null,
    ...over,
  };
}

afterEach(() => {
  vi.restoreAllMocks();
  vi.unstubAllGlobals();
});

describe('the sentences of a revoke confirmation', () => {
  it('says how often one key was used in the last 24 h, when and from where it was last used', () => {
    expect(recentUse(entry('k', 3412, new Date(NOW - 2 * MIN), '203.0.113.5'), NOW)).toBe('Used 3,412 times in the last 24 h, last 2 minutes ago from 203.0.113.5.');
    expect(recentUse(entry('k', 1, new Date(NOW - 10_000), null), NOW)).toBe('Used once in the last 24 h, last under a minute ago.');
    expect(recentUse(entry('k', 0, null), NOW)).toBe('Never used.');
    expect(recentUse(entry('k', 0, new Date(NOW - 45 * DAY)), NOW)).toBe('Not used in 30 days.');
    expect(recentUse(entry('k', 0, new Date(NOW - 3 * DAY)), NOW)).toBe('Not used in the last 24 h (last used 3 days ago).');
    // "Last used" may land before the counts do: nothing is claimed about the count then.
    expect(recentUse(entry('k', 0, new Date(NOW - 5 * MIN)), NOW)).toBe('Last used 5 minutes ago.');
  });

  it('says how many of the selected keys were used, in the singular and the plural', () => {
    const forty = [...Array.from({ length: 12 }, (_, i) => entry(`u${i}`, i === 0 ? 3412 - 11 : 1)), ...Array.from({ length: 28 }, (_, i) => entry(`n${i}`, 0))];
    expect(selectionUse(summaryOf(forty), 40, 'selected', NOW)).toBe('12 of the 40 selected keys were used in the last 24 h (3,412 uses together).');
    expect(selectionUse(summaryOf([entry('a', 5), entry('b', 0), entry('c', 0)]), 3, 'selected', NOW)).toBe('1 of the 3 selected keys was used in the last 24 h (5 uses).');
    expect(selectionUse(summaryOf([entry('a', 0), entry('b', 0)]), 2, 'selected', NOW)).toBe('None of the 2 selected keys were used in the last 24 h.');
    expect(selectionUse(summaryOf([entry('a', 2), entry('b', 3)]), 2, 'selected', NOW)).toBe('Both selected keys were used in the last 24 h (5 uses together).');
    expect(selectionUse(summaryOf([entry('a', 7, new Date(NOW - 3 * MIN), '10.0.0.1')]), 1, 'selected', NOW)).toBe('Used 7 times in the last 24 h, last 3 minutes ago from 10.0.0.1.');
    // A key the viewer may not see is left out by the server: nothing is said about it.
    expect(selectionUse(summaryOf([]), 1)).toBeNull();
  });

  it('asks keys.usageSummary for the ticked keys, and pages through the list for "all matching"', async () => {
    const usageSummary = vi.fn(async ({ keyIds }: { keyIds: string[] }) => summaryOf(keyIds.map((id, i) => entry(id, i === 0 ? 4 : 0))));
    const rows = Array.from({ length: 250 }, (_, i) => row(`key_${i}`, { usage: { last24h: i < 30 ? 2 : 0, last7d: 2 }, status: i === 0 ? 'revoked' : 'enabled' }));
    const list = vi.fn(async ({ cursor, limit }: { cursor?: string; limit: number }) => {
      const from = cursor ? Number(cursor) : 0;
      const items = rows.slice(from, from + limit);
      return { items, nextCursor: from + limit < rows.length ? String(from + limit) : null, counts: { enabled: 250, disabled: 0, revoked: 0 } };
    });
    const api = { keys: { usageSummary: { query: usageSummary }, list: { query: list } } } as unknown as Api;

    await expect(selectedImpact(api, 'team_1', ['key_a', 'key_b'])).resolves.toBe('1 of the 2 selected keys was used in the last 24 h (4 uses).');
    expect(usageSummary).toHaveBeenCalledWith({ teamId: 'team_1', keyIds: ['key_a', 'key_b'] });

    const filters = { teamId: 'team_1', view: ['enabled' as const, 'revoked' as const], search: undefined, generatedBy: ['usr_1'] };
    // The revoked key's uses do not count: a matching revoke leaves it as it is.
    await expect(matchingImpact(api, filters, 250)).resolves.toBe('29 of the 250 matching keys were used in the last 24 h (58 uses together).');
    expect(list).toHaveBeenCalledTimes(3);
    expect(list).toHaveBeenCalledWith({ ...filters, sort: 'newest', cursor: undefined, limit: 100 });

    rows.push(...Array.from({ length: 1000 }, (_, i) => row(`more_${i}`)));
    list.mockClear();
    await expect(matchingImpact(api, filters, 1250)).resolves.toBe('29 of the newest 1,000 of the 1,250 matching keys were used in the last 24 h (58 uses together); the others were not checked.');
    expect(list).toHaveBeenCalledTimes(10);
  });

  it('sums up the team for Revoke All from usage.overview, naming its most used working keys', async () => {
    const overview = vi.fn(async () => ({
      keysUsed: 4,
      totals: { valid: 5210, failed: noFail },
      topKeys: [
        { keyId: 'a', name: 'deploy', hint: 'h', status: 'enabled', valid: 5000, failed: 0 },
        { keyId: 'b', name: 'old', hint: 'h', status: 'revoked', valid: 200, failed: 9 },
        { keyId: 'c', name: 'ci', hint: 'h', status: 'disabled', valid: 10, failed: 0 },
      ],
    }));
    const api = { usage: { overview: { query: overview } } } as unknown as Api;
    await expect(teamImpact(api, 'team_1')).resolves.toBe('4 keys of the team were used in the last 24 h, 5,210 times in all. Most used: “deploy” (5,000), “ci” (10).');
    expect(overview).toHaveBeenCalledWith({ teamId: 'team_1', range: '24h' });
  });
});

describe('revoke questions show what the revoke would break', () => {
  it('adds the key’s last 24 h to a row’s revoke question, after the question itself', async () => {
    const impact = vi.fn(async () => 'Used 3 times in the last 24 h, last 2 minutes ago from 127.0.0.1.');
    render(<KeyTable rows={[row('key_1')]} caption="Keys" actions={{ revoke: vi.fn(async () => true), impact }} />);
    fireEvent.click(screen.getByRole('button', { name: 'Revoke key key_1' }));
    const question = screen.getByRole('group', { name: 'Confirm revoking key key_1' });
    await within(question).findByText('Used 3 times in the last 24 h, last 2 minutes ago from 127.0.0.1.', {}, PATIENT);
    expect(question.textContent).toMatch(/^Revoke “key key_1” of Mia <mia@example\.test>\?.*This cannot be undone\.Used 3 times in the last 24 h/);
    expect(impact).toHaveBeenCalledWith(expect.objectContaining({ id: 'key_1' }));
  });

  it('says so, and still lets the admin revoke, when the usage cannot be read', async () => {
    const revoke = vi.fn(async () => true);
    render(<KeyTable rows={[row('key_1')]} caption="Keys" actions={{ revoke, impact: () => Promise.reject(new Error('offline')) }} />);
    fireEvent.click(screen.getByRole('button', { name: 'Revoke key key_1' }));
    await screen.findByText('Recent use could not be read.', {}, PATIENT);
    fireEvent.click(screen.getByRole('button', { name: 'Revoke key' }));
    expect(revoke).toHaveBeenCalled();
  });

  it('counts the ticked keys used in the last 24 h in the bulk revoke question', async () => {
    const api = { keys: { usageSummary: { query: async ({ keyIds }: { keyIds: string[] }) => summaryOf(keyIds.map((id, i) => entry(id, i < 2 ? 6 : 0))) } } } as unknown as Api;
    render(signedIn(api, <BulkBar team={{ teamId: 'team_1', name: 'Acme', role: 'admin' }} selectedIds={['a', 'b', 'c', 'd']} matching={null} onChange={vi.fn()} onStale={vi.fn()} onReport={vi.fn()} />));
    fireEvent.click(screen.getByRole('button', { name: 'Revoke selected (4)' }));
    await within(screen.getByRole('group')).findByText('2 of the 4 selected keys were used in the last 24 h (12 uses together).', {}, PATIENT);
  });

  it('names the team’s last 24 h in the Revoke All dialog, read only once it opens', async () => {
    const impact = vi.fn(async () => '4 keys of the team were used in the last 24 h, 5,210 times in all.');
    const props = { teamName: 'Acme', counts: { enabled: 4, disabled: 0 }, impact, busy: false, onConfirm: vi.fn(), onClose: vi.fn() };
    const { rerender } = render(<RevokeAllDialog open={false} {...props} />);
    expect(impact).not.toHaveBeenCalled();
    rerender(<RevokeAllDialog open {...props} />);
    await screen.findByText('4 keys of the team were used in the last 24 h, 5,210 times in all.', {}, PATIENT);
  });

  it('tells a member in the popup how much the key they are about to revoke was used', async () => {
    render(<MyKeys rows={[row('key_1', { name: 'leaked' })]} onRevoke={vi.fn()} impact={async () => 'Never used.'} />);
    fireEvent.click(screen.getByRole('button', { name: 'Revoke leaked' }));
    const question = screen.getByRole('group', { name: 'Confirm' });
    await within(question).findByText('Never used.', {}, PATIENT);
    expect(question.textContent).toContain('Revoke “leaked”? Anything using it stops working at once.');
  });
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

  it('shows the team overview and takes the admin to idle keys through the list sorted by recent use', async () => {
    const overview: Overview = {
      range: '7d',
      bucket: 'day',
      buckets: Array.from({ length: 7 }, (_, i) => ({ at: new Date(Date.UTC(2026, 2, 4 + i)), valid: i * 10, failed: noFail })),
      totals: { valid: 210, failed: { REVOKED: 4, DISABLED: 1, EXPIRED: 0 } },
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
    fireEvent.click(within(section).getByRole('button', { name: 'Show the 2 keys not used for 30 days in the list' }));
    expect(onShowIdle).toHaveBeenCalledWith('idle', 2);
    fireEvent.click(within(section).getByRole('link', { name: 'deploy' }));
    expect(onOpenKey).toHaveBeenCalledWith({ id: 'key_top', name: 'deploy', hint: 'h', status: 'enabled' });

    fireEvent.change(within(section).getByLabelText('Period'), { target: { value: '24h' } });
    await waitFor(() => expect(query).toHaveBeenLastCalledWith({ teamId: 'team_1', range: '24h' }), PATIENT);
  });
});
