import { cleanup, fireEvent, render, screen, waitFor } from '@testing-library/preact';
import { useState } from 'preact/hooks';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { KeyFilters, type KeyFilterState } from '../../extension/components/KeyFilters';
import { resetConnectionState } from '../../extension/hooks/use-connection-problem';
import { useKeyList } from '../../extension/hooks/use-key-list';
import type { Api } from '../../extension/lib/api';
import type { KeyRow } from '../../shared/schemas/key';
import { keyRow } from '../helpers/key-row';
import { signedIn } from '../helpers/signed-in';

/**
 * The controls say what the rows were read with: a change of sort or view that cannot load
 * (server unreachable) puts the control back, and once the server answers the list is read
 * again by itself, with the filters on screen.
 */
const PATIENT = { timeout: 30_000 };
const down = () => new TypeError('Failed to fetch');
const rows = (sort: string): KeyRow[] => (sort === 'oldest' ? ['first', 'second'] : ['second', 'first']).map((id) => keyRow({ id, name: `key ${id}` }));

function Keys() {
  const [filters, setFilters] = useState<KeyFilterState>({ view: ['enabled', 'disabled', 'revoked'], search: '', generatedBy: [], sort: 'newest' });
  const list = useKeyList('team_1', filters, setFilters);
  return (
    <>
      <KeyFilters value={filters} members={[]} searchError={null} onChange={setFilters} onSearch={vi.fn()} />
      <p>{list.status === 'error' ? 'unreachable' : list.busy ? 'loading' : 'loaded'}</p>
      <ol aria-label="rows">
        {list.rows.map((r) => (
          <li key={r.id}>{r.id}</li>
        ))}
      </ol>
    </>
  );
}

let healthy = true;
const listCalls: { sort: string; view: string[] }[] = [];
const api = {
  keys: {
    list: {
      query: async (input: { sort: string; view: string[] }) => {
        listCalls.push(input);
        if (!healthy) throw down();
        return { items: rows(input.sort), counts: { enabled: 2, disabled: 0, revoked: 0 }, nextCursor: null };
      },
    },
  },
} as unknown as Api;

beforeEach(() => {
  healthy = true;
  listCalls.length = 0;
  vi.spyOn(globalThis, 'fetch').mockImplementation(async () => (healthy ? Response.json({ ok: true }) : Promise.reject(down())));
});
afterEach(() => {
  cleanup();
  resetConnectionState();
  vi.restoreAllMocks();
});

const shown = () => screen.getAllByRole('listitem').map((li) => li.textContent);
const sort = () => screen.getByRole('combobox', { name: 'Sort' }) as HTMLSelectElement;

describe('filters that could not load', () => {
  it('put the sort back to the order of the rows shown, and the list reloads itself when the server answers', { timeout: 60_000 }, async () => {
    render(signedIn(api, <Keys />));
    await screen.findByText('loaded', {}, PATIENT);
    expect(shown()).toEqual(['second', 'first']);

    healthy = false;
    fireEvent.change(sort(), { target: { value: 'oldest' } });
    await waitFor(() => expect(listCalls.some((c) => c.sort === 'oldest')).toBe(true), PATIENT);
    await screen.findByText('unreachable', {}, PATIENT);
    // The newest-first rows stay, and the selector says so again.
    await waitFor(() => expect(sort().value).toBe('newest'), PATIENT);
    expect(shown()).toEqual(['second', 'first']);
    // The filters put back were tried once more, and failed too: no loop of reverts.
    await waitFor(() => expect(listCalls.map((c) => c.sort)).toEqual(['newest', 'oldest', 'newest']), PATIENT);
    await screen.findByText('unreachable', {}, PATIENT);

    const before = listCalls.length;
    healthy = true;
    // No click: the page's watch on /health notices the server is back and reads the list again.
    await screen.findByText('loaded', {}, PATIENT);
    expect(listCalls.length).toBeGreaterThan(before);
    expect(listCalls.at(-1)!.sort).toBe('newest');
    expect(sort().value).toBe('newest');
  });

  it('ticks a view checkbox back when its change cannot load', { timeout: 60_000 }, async () => {
    render(signedIn(api, <Keys />));
    await screen.findByText('loaded', {}, PATIENT);
    healthy = false;
    const revoked = screen.getByRole('checkbox', { name: 'Revoked' }) as HTMLInputElement;
    fireEvent.click(revoked);
    await screen.findByText('unreachable', {}, PATIENT);
    await waitFor(() => expect(revoked.checked).toBe(true), PATIENT);
    expect(shown()).toEqual(['second', 'first']);
  });
});
