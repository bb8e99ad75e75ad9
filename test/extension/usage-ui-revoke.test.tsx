import { fireEvent, render, screen, within } from '@testing-library/preact';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { KeyUsageSummary } from '../../shared/schemas/usage';
import { KeyTable } from '../../extension/components/KeyTable';
import { MyKeys } from '../../extension/components/MyKeys';
import { RevokeAllDialog } from '../../extension/components/RevokeAllDialog';
import { BulkBar } from '../../extension/entrypoints/dashboard/BulkBar';
import type { Api } from '../../extension/lib/api';
import { matchingImpact, selectedImpact, teamImpact } from '../../extension/lib/usage-queries';
import { recentUse, selectionUse } from '../../extension/lib/usage';
import { signedIn } from '../helpers/signed-in';
import { DAY, MIN, noFail, PATIENT, row } from '../helpers/usage-ui';

/**
 * What the extension says about usage when asked to revoke: the sentences of every revoke
 * confirmation (one key, the ticked keys, every matching key, the whole team) and where they show,
 * all over a fake API that answers like the server. Rows, key details and the overview are in
 * usage-ui-views.test.tsx.
 */
const NOW = Date.parse('2026-03-10T12:00:00Z');
const entry = (keyId: string, last24h: number, lastUsedAt: Date | null = null, lastIp: string | null = null) => ({ keyId, last24h, lastUsedAt, lastIp });
const summaryOf = (keys: ReturnType<typeof entry>[]): KeyUsageSummary => ({
  keys,
  usedLast24h: keys.filter((k) => k.last24h > 0).length,
  totalLast24h: keys.reduce((n, k) => n + k.last24h, 0),
});

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
