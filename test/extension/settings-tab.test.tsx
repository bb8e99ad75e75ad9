import { cleanup, fireEvent, render, screen, waitFor } from '@testing-library/preact';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { TeamSettings } from '../../shared/schemas/team';
import { SettingsTab } from '../../extension/entrypoints/dashboard/SettingsTab';
import type { Api } from '../../extension/lib/api';
import { signedIn } from '../helpers/signed-in';

const PATIENT = { timeout: 30_000 };
const team = { teamId: 'team_1', name: 'Acme', role: 'super_admin' as const };

afterEach(() => {
  cleanup();
  vi.restoreAllMocks();
});

/** A server holding one team's settings: `update` answers `{ settings, policy }` as the real one does. */
function fakeServer(initial: Partial<TeamSettings> = {}) {
  let stored: TeamSettings = { allowMemberKeyGeneration: true, maxLifetimeDays: null, expiryWarningDays: [7, 1], ...initial };
  const updates: Record<string, unknown>[] = [];
  let hold: Promise<void> | null = null;
  let fail = false;
  const api = {
    // The Roles card reads the team's roles (none here).
    roles: { list: { query: async () => [] } },
    settings: {
      get: { query: async () => stored },
      update: {
        mutate: async ({ teamId: _, ...change }: Record<string, unknown>) => {
          updates.push(change);
          if (hold) await hold;
          if (fail) throw new Error('The database is unavailable.');
          stored = { ...stored, ...(change as Partial<TeamSettings>) };
          const days = change.maxLifetimeDays;
          return { settings: stored, policy: typeof days === 'number' ? { changed: 3, expireNow: 1 } : null };
        },
      },
      previewExpiryPolicy: { query: async () => ({ changed: 3, expireNow: 1, byOwner: [{ userId: 'usr_1', email: 'ann@example.test', changed: 3, expireNow: 1 }] }) },
    },
  } as unknown as Api;
  return {
    api,
    updates,
    stored: () => stored,
    holdNext() {
      let release!: () => void;
      hold = new Promise((r) => (release = r));
      return () => (release(), (hold = null));
    },
    failNext: () => (fail = true),
  };
}

const generationSwitch = () => screen.getByRole('switch', { name: 'Allow anyone in your team to generate API keys' });

describe('SettingsTab', () => {
  it('flips the generation switch at once, keeps the saved state, and sends the opposite value on the next click', async () => {
    const server = fakeServer();
    render(signedIn(server.api, <SettingsTab team={team} />));
    await waitFor(() => expect(generationSwitch().getAttribute('aria-checked')).toBe('true'), PATIENT);

    const release = server.holdNext();
    fireEvent.click(generationSwitch());
    // Optimistic: off before the server has answered.
    expect(generationSwitch().getAttribute('aria-checked')).toBe('false');
    release();
    await waitFor(() => expect(screen.getByRole('status').textContent).toBe('Saved'), PATIENT);
    expect(generationSwitch().getAttribute('aria-checked')).toBe('false');

    fireEvent.click(generationSwitch());
    await waitFor(() => expect(server.updates).toHaveLength(2), PATIENT);
    expect(server.updates).toEqual([{ allowMemberKeyGeneration: false }, { allowMemberKeyGeneration: true }]);
    await waitFor(() => expect(generationSwitch().getAttribute('aria-checked')).toBe('true'), PATIENT);
  });

  it('rolls the switch back and says so when saving fails', async () => {
    const server = fakeServer();
    render(signedIn(server.api, <SettingsTab team={team} />));
    await waitFor(() => generationSwitch(), PATIENT);
    server.failNext();
    fireEvent.click(generationSwitch());
    await screen.findByText('Not saved: the setting is still on.', {}, PATIENT);
    expect(generationSwitch().getAttribute('aria-checked')).toBe('true');
    expect(screen.getByRole('alert').textContent).toContain('The database is unavailable.');
  });

  it('shows the applied expiry policy as the current one at once', async () => {
    const server = fakeServer();
    render(signedIn(server.api, <SettingsTab team={team} />));
    await screen.findByText('no limit', {}, PATIENT);
    fireEvent.click(screen.getByLabelText('Keys expire after'));
    fireEvent.input(screen.getByLabelText(/Maximum key lifetime in days/), { target: { value: '90' } });
    fireEvent.click(screen.getByRole('button', { name: 'Preview' }));
    fireEvent.click(await screen.findByRole('button', { name: 'Apply policy' }, PATIENT));
    await screen.findByText('keys live at most 90 days', {}, PATIENT);
    expect(screen.queryByText('no limit')).toBeNull();
    expect(screen.getByRole('status').textContent).toBe('Expiry policy applied: keys now live at most 90 days. 3 keys got an earlier expiry; 1 of them expired at once.');
    expect(server.stored().maxLifetimeDays).toBe(90);
  });

  it('names one key in the singular in the preview', async () => {
    const server = fakeServer();
    (server.api.settings.previewExpiryPolicy as unknown as { query: () => Promise<unknown> }).query = async () => ({
      changed: 1,
      expireNow: 1,
      byOwner: [{ userId: 'usr_1', email: 'ann@example.test', changed: 1, expireNow: 1 }],
    });
    render(signedIn(server.api, <SettingsTab team={team} />));
    await screen.findByText('no limit', {}, PATIENT);
    fireEvent.click(screen.getByLabelText('Keys expire after'));
    fireEvent.input(screen.getByLabelText(/Maximum key lifetime in days/), { target: { value: '1' } });
    fireEvent.click(screen.getByRole('button', { name: 'Preview' }));
    const preview = await screen.findByText(/will get an earlier expiry/, {}, PATIENT);
    expect(preview.textContent!.replace(/\s+/g, ' ')).toBe('1 key will get an earlier expiry, and it expires at once (older than 1 day).');
  });
});
