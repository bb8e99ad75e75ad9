import { cleanup, fireEvent, render, screen, within } from '@testing-library/preact';
import { afterEach, describe, expect, it } from 'vitest';
import { TokensTab } from '../../extension/entrypoints/dashboard/TokensTab';
import type { Api } from '../../extension/lib/api';
import { TOKEN_SCOPE_DESCRIPTIONS, TOKEN_SCOPES } from '../../shared/schemas/token';
import { signedIn } from '../helpers/signed-in';

const PATIENT = { timeout: 30_000 };
const team = { teamId: 'team_1', name: 'Acme', role: 'admin' as const };
const TOKEN = `kwt_${'a'.repeat(30)}${'b'.repeat(6)}`;
const DAY = 86_400_000;

afterEach(cleanup);

/** A server holding one team's tokens, answering as the real tokens.* procedures do. */
function fakeServer(now = Date.now()) {
  const tokens: Record<string, any>[] = [
    { id: 'tok_old', name: 'Nightly export', hint: 'kwt_…wxyz', scopes: ['audit:read'], createdAt: new Date(now - 10 * DAY), createdBy: 'usr_ann', expiresAt: null, lastUsedAt: new Date(now - 2 * 3_600_000) },
  ];
  const calls: { name: string; input: Record<string, unknown> }[] = [];
  const api = {
    tokens: {
      list: { query: async () => tokens.map((t) => ({ ...t })) },
      create: {
        mutate: async (input: Record<string, any>) => {
          calls.push({ name: 'create', input });
          const row = { id: `tok_${tokens.length + 1}`, name: input.name, hint: 'kwt_…bbbb', scopes: input.scopes, createdAt: new Date(now), createdBy: 'usr_me', expiresAt: input.expiresInDays ? new Date(now + input.expiresInDays * DAY) : null, lastUsedAt: null };
          tokens.push(row);
          return { token: TOKEN, row };
        },
      },
      revoke: {
        mutate: async (input: Record<string, any>) => {
          calls.push({ name: 'revoke', input });
          tokens.splice(tokens.findIndex((t) => t.id === input.tokenId), 1);
          return { revoked: true };
        },
      },
    },
    members: {
      list: { query: async () => [{ userId: 'usr_ann', email: 'ann@example.test', name: 'Ann Admin', role: 'admin', joinedAt: new Date(now - 99 * DAY) }] },
    },
  } as unknown as Api;
  return { api, calls, tokens };
}

describe('TokensTab', () => {
  it('lists each token with its scopes, creator, expiry and last use', async () => {
    const server = fakeServer();
    render(signedIn(server.api, <TokensTab team={team} />));
    const row = await screen.findByRole('row', { name: 'Token Nightly export' }, PATIENT);
    const cells = within(row);
    cells.getByText('audit:read');
    cells.getByText('by Ann Admin');
    cells.getByText('Never');
    cells.getByText('2 hours ago');
    expect(row.textContent).not.toContain('kwt_a');
  });

  it('offers every scope with the one line on what it allows', async () => {
    render(signedIn(fakeServer().api, <TokensTab team={team} />));
    await screen.findByRole('row', { name: 'Token Nightly export' }, PATIENT);
    for (const scope of TOKEN_SCOPES) {
      const box = screen.getByRole('checkbox', { name: new RegExp(scope) });
      expect(box.getAttribute('aria-describedby')).toBeTruthy();
      expect(document.getElementById(box.getAttribute('aria-describedby')!)!.textContent).toBe(TOKEN_SCOPE_DESCRIPTIONS[scope]);
    }
  });

  it('creates a token with the chosen scopes and lifetime, and shows its value once with a warning', async () => {
    const server = fakeServer();
    render(signedIn(server.api, <TokensTab team={team} />));
    await screen.findByRole('row', { name: 'Token Nightly export' }, PATIENT);

    fireEvent.input(screen.getByLabelText('Token name'), { target: { value: 'CI deploy' } });
    // Clicked out of order: the request lists them in the scopes' own order.
    fireEvent.click(screen.getByRole('checkbox', { name: /keys:revoke/ }));
    fireEvent.click(screen.getByRole('checkbox', { name: /keys:read/ }));
    fireEvent.change(screen.getByLabelText('Expires after'), { target: { value: '30' } });
    fireEvent.click(screen.getByRole('button', { name: 'Create token' }));

    const secret = (await screen.findByLabelText('Your new API token', undefined, PATIENT)) as HTMLInputElement;
    expect(secret.value).toBe(TOKEN);
    expect(server.calls).toEqual([{ name: 'create', input: { teamId: 'team_1', name: 'CI deploy', scopes: ['keys:read', 'keys:revoke'], expiresInDays: 30 } }]);
    screen.getByText('API token "CI deploy" created');
    screen.getByText(/only time Keywarden shows it/);
    screen.getByRole('button', { name: 'Copy' });
    const row = await screen.findByRole('row', { name: 'Token CI deploy' }, PATIENT);
    within(row).getByText('Never used');
    // Never in the list: the value lives only in the one-time box.
    expect(row.textContent).not.toContain(TOKEN);

    fireEvent.click(screen.getByLabelText(/I have copied the token/));
    fireEvent.click(screen.getByRole('button', { name: 'Done' }));
    expect(screen.queryByLabelText('Your new API token')).toBeNull();
  });

  it('creates a token that never expires when asked', async () => {
    const server = fakeServer();
    render(signedIn(server.api, <TokensTab team={team} />));
    await screen.findByRole('row', { name: 'Token Nightly export' }, PATIENT);
    fireEvent.input(screen.getByLabelText('Token name'), { target: { value: 'Forever' } });
    fireEvent.click(screen.getByRole('checkbox', { name: /members:read/ }));
    fireEvent.change(screen.getByLabelText('Expires after'), { target: { value: 'null' } });
    fireEvent.click(screen.getByRole('button', { name: 'Create token' }));
    await screen.findByLabelText('Your new API token', undefined, PATIENT);
    expect(server.calls[0]!.input).toEqual({ teamId: 'team_1', name: 'Forever', scopes: ['members:read'] });
  });

  it('refuses a token without scopes or without a name, and sends nothing', async () => {
    const server = fakeServer();
    render(signedIn(server.api, <TokensTab team={team} />));
    await screen.findByRole('row', { name: 'Token Nightly export' }, PATIENT);
    fireEvent.input(screen.getByLabelText('Token name'), { target: { value: 'No scopes' } });
    fireEvent.click(screen.getByRole('button', { name: 'Create token' }));
    expect((await screen.findByRole('alert', undefined, PATIENT)).textContent).toMatch(/scope/);
    fireEvent.input(screen.getByLabelText('Token name'), { target: { value: '' } });
    fireEvent.click(screen.getByRole('checkbox', { name: /keys:read/ }));
    fireEvent.click(screen.getByRole('button', { name: 'Create token' }));
    expect((await screen.findByRole('alert', undefined, PATIENT)).textContent).toMatch(/name/);
    expect(server.calls).toEqual([]);
  });

  it('revokes a token only after the confirmation', async () => {
    const server = fakeServer();
    render(signedIn(server.api, <TokensTab team={team} />));
    await screen.findByRole('row', { name: 'Token Nightly export' }, PATIENT);
    fireEvent.click(screen.getByRole('button', { name: 'Revoke token Nightly export' }));
    expect(server.calls).toEqual([]);
    screen.getByText(/Anything using it stops working at once/);
    fireEvent.click(screen.getByRole('button', { name: 'Cancel' }));
    expect(server.calls).toEqual([]);

    fireEvent.click(screen.getByRole('button', { name: 'Revoke token Nightly export' }));
    fireEvent.click(screen.getByRole('button', { name: 'Revoke' }));
    await screen.findByText('No API tokens yet.', undefined, PATIENT);
    expect(server.calls).toEqual([{ name: 'revoke', input: { teamId: 'team_1', tokenId: 'tok_old' } }]);
    screen.getByRole('status');
  });
});
