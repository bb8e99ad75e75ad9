import { TRPCClientError } from '@trpc/client';
import { cleanup, fireEvent, render, screen, waitFor } from '@testing-library/preact';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { fakeBrowser } from 'wxt/testing/fake-browser';
import { AsyncStatus, LoadMore } from '../../extension/components/AsyncStatus';
import { useAction, useAsync } from '../../extension/hooks/use-async';
import { usePages } from '../../extension/hooks/use-pages';
import type { Api } from '../../extension/lib/api';
import { readPages } from '../../extension/lib/pages';
import { sessionItem, signOutReasonItem } from '../../extension/lib/storage';
import { signedIn, TEST_SESSION } from '../helpers/signed-in';

const unauthorized = () => TRPCClientError.from({ error: { message: 'Sign in first', code: -32001, data: { code: 'UNAUTHORIZED', httpStatus: 401 } } } as never);

function Section({ load }: { load: () => Promise<string> }) {
  const state = useAsync(load, []);
  return (
    <>
      <AsyncStatus state={state} loading="Loading the thing…" />
      {state.data ? <p>{state.data}</p> : null}
    </>
  );
}

function Button({ run }: { run: () => Promise<unknown> }) {
  const { problem, act } = useAction();
  return (
    <>
      <button type="button" onClick={() => void act(run)}>
        Go
      </button>
      {problem ? <p role="alert">{problem.message}</p> : null}
    </>
  );
}

beforeEach(async () => {
  fakeBrowser.reset();
  await sessionItem.setValue(TEST_SESSION);
});

describe('the session context', () => {
  it('names the session’s server when it cannot be reached, and retries from the same box', async () => {
    const load = vi.fn<() => Promise<string>>().mockRejectedValueOnce(new TypeError('Failed to fetch')).mockResolvedValueOnce('loaded');
    render(signedIn({} as Api, <Section load={load} />));
    expect(screen.getByRole('status').textContent).toContain('Loading the thing…');
    await screen.findByText(/Can't reach the Keywarden server at http:\/\/kw\.test/);
    fireEvent.click(screen.getByRole('button', { name: 'Try again' }));
    await screen.findByText('loaded');
  });

  it('ends the session once a request of a section or of a button answers 401', async () => {
    render(signedIn({} as Api, <Section load={() => Promise.reject(unauthorized())} />));
    await waitFor(async () => expect(await sessionItem.getValue()).toBeNull());
    expect(await signOutReasonItem.getValue()).toBe('expired');

    cleanup();
    await sessionItem.setValue(TEST_SESSION);
    render(signedIn({} as Api, <Button run={() => Promise.reject(unauthorized())} />));
    fireEvent.click(screen.getByRole('button', { name: 'Go' }));
    await screen.findByText('Sign in first', { selector: 'p' });
    expect(await sessionItem.getValue()).toBeNull();
  });
});

describe('paging', () => {
  /** Up to `size` numbers from `from`, of a list that ends before `end`. */
  const page = (from: number, size: number, end: number) => {
    const items = Array.from({ length: Math.min(size, end - from) }, (_, i) => from + i);
    return { items, nextCursor: from + items.length < end ? String(from + items.length) : null };
  };

  it('reads pages until it has enough or the list ends, and says where to go on', async () => {
    const fetch = vi.fn(async (cursor: string | undefined) => page(Number(cursor ?? 0), 10, 35));
    expect(await readPages(fetch, (items) => items.length >= 20)).toMatchObject({ items: Array.from({ length: 20 }, (_, i) => i), cursor: '20' });
    expect(await readPages(fetch, () => false, '20')).toMatchObject({ items: [20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30, 31, 32, 33, 34], cursor: null });
  });

  it('shows every page on request, never stopping at a cap, and starts again on reload', async () => {
    const fetch = vi.fn(async (cursor: string | undefined) => page(Number(cursor ?? 0), 100, 250));
    function List() {
      const list = usePages(fetch, []);
      return (
        <>
          <p data-testid="count">{list.items.length}</p>
          <LoadMore hasMore={list.hasMore} busy={list.more.busy} problem={list.more.problem} onLoad={() => void list.loadMore()} />
          <button type="button" onClick={() => void list.reload()}>
            Reload
          </button>
        </>
      );
    }
    render(signedIn({} as Api, <List />));
    await waitFor(() => expect(screen.getByTestId('count').textContent).toBe('100'));
    fireEvent.click(screen.getByRole('button', { name: 'Load more' }));
    await waitFor(() => expect(screen.getByTestId('count').textContent).toBe('200'));
    fireEvent.click(screen.getByRole('button', { name: 'Load more' }));
    await waitFor(() => expect(screen.getByTestId('count').textContent).toBe('250'));
    expect(screen.queryByRole('button', { name: 'Load more' })).toBeNull();
    fireEvent.click(screen.getByRole('button', { name: 'Reload' }));
    await waitFor(() => expect(screen.getByTestId('count').textContent).toBe('100'));
    expect(fetch.mock.calls.map((c) => c[0])).toEqual([undefined, '100', '200', undefined]);
  });
});
