import { fireEvent, render, screen, waitFor } from '@testing-library/preact';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { fakeBrowser } from 'wxt/testing/fake-browser';
import { AsyncStatus } from '../../extension/components/AsyncStatus';
import { ConnectionBanner } from '../../extension/components/ConnectionBanner';
import { ProblemBox } from '../../extension/components/ProblemBox';
import { useAction, useAsync } from '../../extension/hooks/use-async';
import type { Api } from '../../extension/lib/api';
import { sessionItem } from '../../extension/lib/storage';
import { signedIn, TEST_SESSION } from '../helpers/signed-in';

/**
 * "Server unreachable" is one state the page shares: one line at the top, what
 * was loaded kept but marked stale, and everything on screen reloaded (and every
 * such error cleared) once /health answers again, without a click.
 */
const down = () => new TypeError('Failed to fetch');

function Section({ name, load }: { name: string; load: () => Promise<string> }) {
  const state = useAsync(load, []);
  return (
    <section aria-label={name}>
      <AsyncStatus state={state} />
      {state.data ? <p>{state.data}</p> : null}
    </section>
  );
}

function Action({ run }: { run: () => Promise<unknown> }) {
  const { problem, act } = useAction();
  return (
    <>
      <button type="button" onClick={() => void act(run)}>
        Save
      </button>
      {problem ? <ProblemBox problem={problem} /> : null}
    </>
  );
}

let healthy = false;
beforeEach(async () => {
  fakeBrowser.reset();
  await sessionItem.setValue(TEST_SESSION);
  healthy = false;
  vi.spyOn(globalThis, 'fetch').mockImplementation(async () => (healthy ? Response.json({ ok: true }) : Promise.reject(down())));
});
afterEach(() => vi.restoreAllMocks());

describe('the page’s connection state', () => {
  it('says once at the top that the server is unreachable, marks what is shown stale, and reloads it all by itself when it answers', async () => {
    const members = vi.fn<() => Promise<string>>().mockResolvedValueOnce('3 members').mockResolvedValue('4 members');
    const audit = vi.fn<() => Promise<string>>().mockRejectedValueOnce(down()).mockResolvedValue('12 entries');
    const { container } = render(
      signedIn(
        {} as Api,
        <ConnectionBanner>
          <Section name="Members" load={members} />
          <Section name="Audit" load={audit} />
        </ConnectionBanner>,
      ),
    );
    await screen.findByText(/^Since \d.*reloads by itself/);
    expect(screen.getAllByText('Server unreachable')).toHaveLength(1);
    expect(screen.getAllByRole('alert')).toHaveLength(1);
    expect(screen.getByText('3 members')).toBeTruthy();
    const area = container.querySelector('.connection-area')!;
    expect(area.getAttribute('aria-busy')).toBe('true');
    expect(area.classList.contains('stale')).toBe(true);

    healthy = true;
    // No click: the page's watch on /health notices the server is back.
    await screen.findByText('12 entries', {}, { timeout: 30_000 });
    await screen.findByText('4 members');
    expect(screen.queryByText('Server unreachable')).toBeNull();
    expect(screen.queryAllByRole('alert')).toHaveLength(0);
    expect(area.getAttribute('aria-busy')).toBeNull();
  });

  it('clears an action’s "server unreachable" once the server answers again', async () => {
    render(
      signedIn(
        {} as Api,
        <ConnectionBanner>
          <Action run={() => Promise.reject(down())} />
        </ConnectionBanner>,
      ),
    );
    fireEvent.click(screen.getByRole('button', { name: 'Save' }));
    await screen.findByText('Server unreachable');
    healthy = true;
    fireEvent.click(screen.getByRole('button', { name: 'Try again' }));
    await waitFor(() => expect(screen.queryByText('Server unreachable')).toBeNull());
    expect(screen.queryAllByRole('alert')).toHaveLength(0);
  });
});
