import { render, screen, waitFor } from '@testing-library/preact';
import { describe, expect, it, vi } from 'vitest';
import type { KeyCounts } from '../../shared/schemas/key';
import { AdminTools } from '../../extension/entrypoints/popup/AdminTools';
import type { Api } from '../../extension/lib/api';
import { signedIn } from '../helpers/signed-in';

/** The admin popup reads its counts through `keys.counts`, never a page of keys. */
function fakeApi(answers: KeyCounts[]) {
  const counts = vi.fn(async () => answers.shift()!);
  const list = vi.fn(async () => {
    throw new Error('the popup must not list keys to count them');
  });
  return { api: { keys: { counts: { query: counts }, list: { query: list } } } as unknown as Api, counts, list };
}

const shown = (status: string) => screen.getByText(status).parentElement!.querySelector('dd')!.textContent;

describe('popup admin counts', () => {
  it('shows the team counts from keys.counts and reloads them when keys change', async () => {
    const { api, counts, list } = fakeApi([
      { enabled: 7, disabled: 2, revoked: 3 },
      { enabled: 6, disabled: 2, revoked: 4 },
    ]);
    const view = render(signedIn(api, <AdminTools teamId="team_acme" keysVersion={1} onChanged={() => {}} />));
    await waitFor(() => expect(shown('Enabled')).toBe('7'));
    expect([shown('Disabled'), shown('Revoked')]).toEqual(['2', '3']);
    expect(counts).toHaveBeenCalledWith({ teamId: 'team_acme' });

    view.rerender(signedIn(api, <AdminTools teamId="team_acme" keysVersion={2} onChanged={() => {}} />));
    await waitFor(() => expect(shown('Revoked')).toBe('4'));
    expect(counts).toHaveBeenCalledTimes(2);
    expect(list).not.toHaveBeenCalled();
  });
});
