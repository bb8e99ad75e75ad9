import { cleanup, fireEvent, render, screen, waitFor } from '@testing-library/preact';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { KeyCounts, ListKeysQuery } from '../../shared/schemas/key';
import { KeysTab } from '../../extension/entrypoints/dashboard/KeysTab';
import type { Api } from '../../extension/lib/api';
import { keyRow } from '../helpers/key-row';
import { signedIn } from '../helpers/signed-in';

const PATIENT = { timeout: 30_000 };
const team = { teamId: 'team_1', name: 'Acme', role: 'admin' as const };

afterEach(() => {
  cleanup();
  vi.restoreAllMocks();
});

/**
 * A server for the dashboard's keys tab: 62 keys, of which 5 are idle; each list answer shows two
 * rows of its set (more to load) and the set's counts. Every other call stays pending.
 */
function fakeApi() {
  const listCalls: ListKeysQuery[] = [];
  const revokeMatching = vi.fn(async (_: unknown) => ({ revoked: ['key_i0', 'key_i1', 'key_i2', 'key_i3', 'key_i4'], alreadyRevoked: [], notFound: [] }));
  const list = async (input: ListKeysQuery) => {
    listCalls.push(input);
    const idle = input.idleDays !== undefined;
    const counts: KeyCounts = idle ? { enabled: 5, disabled: 0, revoked: 0 } : { enabled: 62, disabled: 0, revoked: 0 };
    const prefix = idle ? 'key_i' : 'key_a';
    return { items: [0, 1].map((i) => keyRow({ id: `${prefix}${i}`, name: `${prefix}${i}` })), counts, nextCursor: 'more' };
  };
  const pending = () => new Promise(() => {});
  const api = new Proxy(
    {},
    {
      get: (_, router: string) =>
        new Proxy(
          {},
          {
            get: (__, procedure: string) => {
              if (router === 'keys' && procedure === 'list') return { query: list };
              if (router === 'keys' && procedure === 'revokeMatching') return { mutate: revokeMatching };
              return { query: pending, mutate: pending };
            },
          },
        ),
    },
  ) as Api;
  return { api, listCalls, revokeMatching };
}

describe('Select all N matching, with the Idle filter on', () => {
  it('offers the filtered count and revokes with the very filters the list was read with', async () => {
    const { api, listCalls, revokeMatching } = fakeApi();
    vi.spyOn((await import('wxt/browser')).browser.runtime, 'sendMessage').mockResolvedValue(undefined);
    render(signedIn(api, <KeysTab team={team} />));
    await screen.findByText('Showing 2 of 62 keys', {}, PATIENT);

    fireEvent.change(screen.getByRole('combobox', { name: 'Idle' }), { target: { value: '30' } });
    await screen.findByText('Showing 2 of 5 keys', {}, PATIENT);
    const idleList = listCalls.at(-1)!;
    expect(idleList.idleDays).toBe(30);

    fireEvent.click(screen.getByRole('checkbox', { name: 'Select all keys on this page' }));
    fireEvent.click(screen.getByRole('button', { name: 'Select all 5 matching keys of Acme' }));
    fireEvent.click(screen.getByRole('button', { name: 'Revoke all 5 matching' }));
    fireEvent.click(screen.getByRole('button', { name: 'Revoke 5 matching keys' }));
    await waitFor(() => expect(revokeMatching).toHaveBeenCalled(), PATIENT);

    // The list's filters exactly, without its paging: nothing dropped, nothing added.
    const { sort: _sort, cursor: _cursor, limit: _limit, ...filters } = idleList;
    expect(revokeMatching).toHaveBeenCalledWith({ ...filters, expectedCount: 5 });
    expect(revokeMatching.mock.calls[0]![0]).toEqual({ teamId: 'team_1', view: ['enabled', 'disabled', 'revoked'], search: undefined, generatedBy: undefined, idleDays: 30, expectedCount: 5 });
  });
});
