import { act, cleanup, fireEvent, render, renderHook, screen, waitFor, within } from '@testing-library/preact';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { KeyCounts, KeyFilters, KeyRow } from '../../shared/schemas/key';
import type { Member } from '../../shared/schemas/team';
import { BulkBar } from '../../extension/entrypoints/dashboard/BulkBar';
import type { KeyFilterState } from '../../extension/components/KeyFilters';
import { KeyTable } from '../../extension/components/KeyTable';
import { MemberPicker } from '../../extension/components/MemberPicker';
import { useKeyList } from '../../extension/hooks/use-key-list';
import type { Api } from '../../extension/lib/api';
import { applyKeyChange, viewTotal } from '../../extension/lib/key-changes';
import { keyRow } from '../helpers/key-row';
import { signedIn } from '../helpers/signed-in';

const PATIENT = { timeout: 30_000 };
const DAY = 86_400_000;
const owner = { userId: 'usr_1', email: 'mia@example.test', name: 'Mia', role: 'member' as const };
const row = (id: string, over: Partial<KeyRow> = {}): KeyRow => keyRow({ id, name: `key ${id}`, generatedBy: owner, ...over });

afterEach(() => {
  cleanup();
  vi.restoreAllMocks();
});

describe('KeyTable row actions', () => {
  it('revokes one key in two clicks after a question that names the key and its owner', async () => {
    const revoke = vi.fn(async () => true);
    render(<KeyTable rows={[row('key_1'), row('key_2')]} caption="Keys" actions={{ revoke, disable: vi.fn(), enable: vi.fn() }} />);
    const first = screen.getAllByRole('row')[1]!;
    fireEvent.click(within(first).getByRole('button', { name: 'Revoke key key_1' }));
    const question = within(first).getByRole('group', { name: 'Confirm revoking key key_1' });
    expect(question.textContent).toContain('Revoke “key key_1” of Mia <mia@example.test>?');
    await waitFor(() => expect(document.activeElement).toBe(within(question).getByRole('button', { name: 'Cancel' })), PATIENT);
    fireEvent.click(within(question).getByRole('button', { name: 'Revoke key' }));
    expect(revoke).toHaveBeenCalledWith(expect.objectContaining({ id: 'key_1' }));
  });

  it('offers Disable on an enabled key, Enable on a disabled one, only Copy ID on a revoked one', () => {
    render(
      <KeyTable
        rows={[row('key_on'), row('key_off', { status: 'disabled', disabledReason: 'manual' }), row('key_gone', { status: 'revoked', revokedReason: 'manual' })]}
        caption="Keys"
        actions={{ revoke: vi.fn(), disable: vi.fn(), enable: vi.fn() }}
      />,
    );
    const actionsOf = (i: number) => within(screen.getAllByRole('row')[i]!).getAllByRole('button').map((b) => b.getAttribute('aria-label') ?? b.textContent);
    expect(actionsOf(1)).toEqual(['Revoke key key_on', 'Disable key key_on', 'Copy ID key key_on', 'Actions for key key_on']);
    expect(actionsOf(2)).toEqual(['Revoke key key_off', 'Enable key key_off', 'Copy ID key key_off', 'Actions for key key_off']);
    expect(actionsOf(3)).toEqual(['Copy ID key key_gone', 'Actions for key key_gone']);
  });

  it('copies the key id, and opens the same actions from the "⋯" menu', async () => {
    const writeText = vi.fn(async () => {});
    vi.spyOn(navigator, 'clipboard', 'get').mockReturnValue({ writeText } as unknown as Clipboard);
    const disable = vi.fn(async () => true);
    render(<KeyTable rows={[row('key_1')]} caption="Keys" actions={{ revoke: vi.fn(), disable, enable: vi.fn() }} />);
    fireEvent.click(screen.getByRole('button', { name: 'Copy ID key key_1' }));
    expect(writeText).toHaveBeenCalledWith('key_1');
    await screen.findByRole('button', { name: 'ID copied key key_1' }, PATIENT);

    fireEvent.click(screen.getByRole('button', { name: 'Actions for key key_1' }));
    const menu = screen.getByRole('menu', { name: 'Actions for key key_1' });
    expect(within(menu).getAllByRole('menuitem').map((m) => m.textContent)).toEqual(['Revoke', 'Disable', 'ID copied']);
    fireEvent.click(within(menu).getByRole('menuitem', { name: 'Disable' }));
    expect(disable).toHaveBeenCalled();
    expect(screen.queryByRole('menu')).toBeNull();
  });

  it('says "your key" to a member, marks the table busy while it reloads, and highlights keys expiring within the warning window', () => {
    const soon = row('key_soon', { expiresAt: new Date(Date.now() + 3 * DAY + 60_000) });
    const later = row('key_later', { expiresAt: new Date(Date.now() + 30 * DAY) });
    const { container } = render(<KeyTable rows={[soon, later]} caption="Mine" busy warnDays={7} actions={{ revoke: vi.fn(async () => true), mine: true }} />);
    expect(container.querySelector('.table-wrap')!.getAttribute('aria-busy')).toBe('true');
    const highlighted = container.querySelectorAll('.expiring-soon');
    expect(highlighted).toHaveLength(1);
    expect(highlighted[0]!.textContent).toContain('in 3 days');
    fireEvent.click(screen.getByRole('button', { name: 'Revoke key key_soon' }));
    expect(screen.getByRole('group').textContent).toContain('Revoke your key “key key_soon”?');
  });
});

describe('MemberPicker', () => {
  const members: Member[] = [
    { userId: 'usr_a', email: 'ann@example.test', name: 'Ann', role: 'member', joinedAt: new Date() },
    { userId: 'usr_b', email: 'bob@example.test', name: '', role: 'admin', joinedAt: new Date() },
    { userId: 'usr_c', email: 'cy@example.test', name: 'Cy', role: 'member', joinedAt: new Date() },
  ];

  it('narrows the members as you type, picks with Enter, and removes a pick with its chip', () => {
    const onChange = vi.fn();
    const { rerender } = render(<MemberPicker id="gb" label="Generated by" members={members} value={[]} onChange={onChange} />);
    const box = screen.getByRole('combobox', { name: 'Generated by' });
    fireEvent.focus(box);
    fireEvent.input(box, { target: { value: 'bo' } });
    expect(screen.getAllByRole('option').map((o) => o.textContent)).toEqual(['bob@example.test']);
    fireEvent.keyDown(box, { key: 'Enter' });
    expect(onChange).toHaveBeenLastCalledWith(['usr_b']);

    rerender(<MemberPicker id="gb" label="Generated by" members={members} value={['usr_b', 'usr_a']} onChange={onChange} />);
    fireEvent.click(screen.getByRole('button', { name: 'Remove bob@example.test from Generated by' }));
    expect(onChange).toHaveBeenLastCalledWith(['usr_a']);
    fireEvent.focus(box);
    fireEvent.input(box, { target: { value: '' } });
    // Those already picked are not offered again.
    expect(screen.getAllByRole('option').map((o) => o.textContent)).toEqual(['Cy <cy@example.test>']);
  });
});

describe('after an action', () => {
  const counts: KeyCounts = { enabled: 3, disabled: 1, revoked: 2 };
  const rows = [row('a'), row('b'), row('c', { status: 'disabled', disabledReason: 'manual' }), row('d', { status: 'revoked', revokedReason: 'manual' })];

  it('no row reads ENABLED after Revoke All, and the counts move with them', () => {
    const after = applyKeyChange(rows, counts, { kind: 'revokedAll' });
    expect(after.rows.map((r) => r.status)).toEqual(['revoked', 'revoked', 'revoked', 'revoked']);
    expect(after.rows[0]!.revokedReason).toBe('revoke_all');
    expect(after.rows[3]!.revokedReason).toBe('manual');
    expect(after.counts).toEqual({ enabled: 0, disabled: 0, revoked: 6 });
  });

  it('moves exactly the rows an action reports, and totals a view from its ticked statuses', () => {
    const after = applyKeyChange(rows, counts, { kind: 'revoked', ids: ['a', 'd'], reason: 'bulk' });
    expect(after.rows.map((r) => r.status)).toEqual(['revoked', 'enabled', 'disabled', 'revoked']);
    expect(after.counts).toEqual({ enabled: 2, disabled: 1, revoked: 3 });
    expect(viewTotal(after.counts, ['enabled', 'disabled'])).toBe(3);
    const matching = applyKeyChange(rows, counts, { kind: 'revokedMatching', view: ['enabled'] });
    expect(matching.counts).toEqual({ enabled: 0, disabled: 1, revoked: 5 });
  });
});

describe('useKeyList', () => {
  const filters: KeyFilterState = { view: ['enabled', 'disabled'], search: '', generatedBy: [], sort: 'newest' };

  it('pages by 50, totals the view, and is busy (with the old rows kept) while it reloads', async () => {
    const pages: { resolve(v: unknown): void; input: { limit: number } }[] = [];
    const api = { keys: { list: { query: (input: { limit: number }) => new Promise((resolve) => pages.push({ resolve, input })) } } } as unknown as Api;
    const { result } = renderHook(() => useKeyList('team_1', filters), { wrapper: ({ children }) => signedIn(api, children) });
    await waitFor(() => expect(pages).toHaveLength(1), PATIENT);
    expect(pages[0]!.input.limit).toBe(50);
    await act(async () => pages[0]!.resolve({ items: [row('a')], counts: { enabled: 1500, disabled: 11, revoked: 500 }, nextCursor: 'c1' }));
    await waitFor(() => expect(result.current.total).toBe(1511), PATIENT);
    expect(pages).toHaveLength(1);
    expect(result.current.busy).toBe(false);

    act(() => result.current.reload());
    expect(result.current.busy).toBe(true);
    expect(result.current.rows.map((r) => r.id)).toEqual(['a']);
    await act(async () => pages[1]!.resolve({ items: [row('b')], counts: { enabled: 1, disabled: 0, revoked: 0 }, nextCursor: null }));
    await waitFor(() => expect(result.current.rows.map((r) => r.id)).toEqual(['b']), PATIENT);
    expect(result.current.busy).toBe(false);
  });
});

describe('BulkBar', () => {
  const team = { teamId: 'team_1', name: 'Acme', role: 'admin' as const };
  const filters: KeyFilters = { teamId: 'team_1', view: ['enabled', 'disabled', 'revoked'], generatedBy: ['usr_a'], idleDays: 90 };

  it('speaks of one key in the singular', () => {
    render(signedIn({} as Api, <BulkBar team={team} selectedIds={['key_1']} matching={null} onChange={vi.fn()} onStale={vi.fn()} onReport={vi.fn()} />));
    fireEvent.click(screen.getByRole('button', { name: 'Revoke selected (1)' }));
    expect(screen.getByRole('group').textContent).toContain('Revoke 1 key of Acme? Anything using it stops working at once');
  });

  it('names the team it acts on in every question and every report', async () => {
    const other = { teamId: 'team_2', name: 'Globex', role: 'admin' as const };
    const revoke = vi.fn(async () => ({ revoked: ['key_1', 'key_2'], alreadyRevoked: [], notFound: [] }));
    const disable = vi.fn(async () => ({ changed: ['key_1'], unchanged: ['key_2'], notFound: [] }));
    const onReport = vi.fn();
    const api = { keys: { revoke: { mutate: revoke }, disable: { mutate: disable } } } as unknown as Api;
    vi.spyOn((await import('wxt/browser')).browser.runtime, 'sendMessage').mockResolvedValue(undefined);
    const { unmount } = render(signedIn(api, <BulkBar team={other} selectedIds={['key_1', 'key_2']} matching={null} onChange={vi.fn()} onStale={vi.fn()} onReport={onReport} />));
    fireEvent.click(screen.getByRole('button', { name: 'Revoke selected (2)' }));
    expect(screen.getByRole('group').textContent).toContain('Revoke 2 keys of Globex?');
    fireEvent.click(screen.getByRole('button', { name: 'Revoke 2 keys' }));
    await waitFor(() => expect(onReport).toHaveBeenCalledWith('Revoked 2 keys of Globex. Owners were notified.'), PATIENT);
    fireEvent.click(screen.getByRole('button', { name: 'Disable' }));
    await waitFor(() => expect(onReport).toHaveBeenCalledWith('Disabled 1 key of Globex; 1 key unchanged.'), PATIENT);
    unmount();

    render(signedIn(api, <BulkBar team={other} selectedIds={[]} matching={{ filters, total: 40, live: 40 }} onChange={vi.fn()} onStale={vi.fn()} onReport={vi.fn()} />));
    fireEvent.click(screen.getByRole('button', { name: 'Revoke all 40 matching' }));
    expect(screen.getByRole('group').textContent).toContain('Revoke all 40 keys of Globex matching these filters?');
  });

  it('revokes every matching key on the server with the count the admin confirmed, and reports it', async () => {
    const ids = (prefix: string, n: number) => Array.from({ length: n }, (_, i) => `key_${prefix}${i}`);
    const revokeMatching = vi.fn(async () => ({ revoked: ids('a', 290), alreadyRevoked: ids('b', 10), notFound: [] }));
    const onChange = vi.fn();
    const onReport = vi.fn();
    const api = { keys: { revokeMatching: { mutate: revokeMatching } } } as unknown as Api;
    vi.spyOn((await import('wxt/browser')).browser.runtime, 'sendMessage').mockResolvedValue(undefined);
    render(signedIn(api, <BulkBar team={team} selectedIds={[]} matching={{ filters, total: 300, live: 290 }} onChange={onChange} onStale={vi.fn()} onReport={onReport} />));
    fireEvent.click(screen.getByRole('button', { name: 'Revoke all 300 matching' }));
    expect(screen.getByRole('group').textContent).toContain('Revoke all 300 keys of Acme matching these filters? 290 still work and stop at once; the other 10 are already revoked.');
    fireEvent.click(screen.getByRole('button', { name: 'Revoke 300 matching keys' }));
    await waitFor(() => expect(onReport).toHaveBeenCalled(), PATIENT);
    expect(revokeMatching).toHaveBeenCalledWith({ ...filters, expectedCount: 300 });
    expect(onChange).toHaveBeenCalledWith({ kind: 'revokedMatching', view: filters.view });
    expect(onReport).toHaveBeenCalledWith('Revoked 290 keys of Acme, of the 300 matching (10 were already revoked). Owners were notified.');
  });
});
