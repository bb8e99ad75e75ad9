import { fireEvent, render, screen, waitFor } from '@testing-library/preact';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { fakeBrowser } from 'wxt/testing/fake-browser';
import type { MyInvitation } from '../../shared/schemas/invitation';
import { Invitations } from '../../extension/entrypoints/popup/Invitations';
import type { Api } from '../../extension/lib/api';
import { getSettings, sessionItem } from '../../extension/lib/storage';
import { signedIn } from '../helpers/signed-in';

const invitation: MyInvitation = {
  teamId: 'team_acme',
  teamName: 'Acme',
  role: 'admin',
  invitedBy: 'lead@example.test',
  createdAt: new Date('2026-01-01T00:00:00Z'),
  expiresAt: new Date('2026-01-15T00:00:00Z'),
};

/** Only the procedures the section calls; the server answers in order. */
function fakeApi(lists: MyInvitation[][]) {
  const list = vi.fn(async () => lists.shift() ?? []);
  const accept = vi.fn(async ({ teamId }: { teamId: string }) => ({ teamId, teamName: 'Acme', role: 'admin' as const }));
  const decline = vi.fn(async ({ teamId }: { teamId: string }) => ({ teamId, declined: true as const }));
  const me = vi.fn(async () => ({ user: { id: 'usr_me', email: 'me@example.test', name: 'Me' }, teams: [{ teamId: 'team_acme', name: 'Acme', role: 'admin' as const }] }));
  const api = { invitations: { list: { query: list }, accept: { mutate: accept }, decline: { mutate: decline } }, auth: { me: { query: me } } } as unknown as Api;
  return { api, list, accept, decline };
}

beforeEach(async () => {
  fakeBrowser.reset();
  await sessionItem.setValue({ token: 't', serverUrl: 'http://kw.test', user: { id: 'usr_me', email: 'me@example.test', name: 'Me' }, teams: [] });
});

describe('popup invitations', () => {
  it('shows an open invitation, and accepting joins the team and switches the popup to it', async () => {
    const { api, accept } = fakeApi([[invitation], []]);
    render(signedIn(api, <Invitations />));
    await screen.findByText(/lead@example\.test invited you to join/);
    fireEvent.click(screen.getByRole('button', { name: 'Accept the invitation to Acme' }));
    await waitFor(() => expect(screen.queryByRole('heading', { name: 'Invitations' })).toBeNull());
    expect(accept).toHaveBeenCalledWith({ teamId: 'team_acme' });
    expect((await sessionItem.getValue())!.teams).toEqual([{ teamId: 'team_acme', name: 'Acme', role: 'admin' }]);
    expect((await getSettings()).teamId).toBe('team_acme');
  });

  it('declines without joining', async () => {
    const { api, decline, accept } = fakeApi([[invitation], []]);
    render(signedIn(api, <Invitations />));
    fireEvent.click(await screen.findByRole('button', { name: 'Decline the invitation to Acme' }));
    await waitFor(() => expect(screen.queryByRole('heading', { name: 'Invitations' })).toBeNull());
    expect(decline).toHaveBeenCalledWith({ teamId: 'team_acme' });
    expect(accept).not.toHaveBeenCalled();
    expect((await sessionItem.getValue())!.teams).toEqual([]);
  });

  it('shows nothing when there is no invitation', async () => {
    const { api, list } = fakeApi([[]]);
    const { container } = render(signedIn(api, <Invitations />));
    await waitFor(() => expect(list).toHaveBeenCalled());
    expect(container.textContent).toBe('');
  });
});
