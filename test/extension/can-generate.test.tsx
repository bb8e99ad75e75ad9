import { cleanup, render, screen, waitFor } from '@testing-library/preact';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { Alerts } from '../../extension/entrypoints/popup/Alerts';
import { MyKeysSection } from '../../extension/entrypoints/popup/MyKeysSection';
import type { Api } from '../../extension/lib/api';
import type { SessionTeam } from '../../extension/lib/storage';
import { signedIn, TEST_SESSION } from '../helpers/signed-in';
import { ME, wordedNotice } from '../helpers/worded-notice';

/**
 * Whether the user may generate keys comes from the server, per team of the session (`canGenerate`):
 * the popup offers Generate or Request by it and never works it out from roles or team settings.
 */
const PATIENT = { timeout: 30_000 };

afterEach(() => {
  cleanup();
  vi.restoreAllMocks();
});

/** Team settings that, read by the client, would say the opposite of the server's `canGenerate`. */
function api(allowMemberKeyGeneration: boolean) {
  const settingsGet = vi.fn(async () => ({ allowMemberKeyGeneration, maxLifetimeDays: null, expiryWarningDays: [7] }));
  const client = {
    keys: { mine: { query: async () => ({ items: [], nextCursor: null }) } },
    keyRequests: { mine: { query: async () => [] } },
    settings: { get: { query: settingsGet } },
    notifications: {
      list: {
        query: async () => ({
          items: [
            wordedNotice({
              id: 'ntf_1',
              teamId: 'team_1',
              teamName: 'Acme',
              kind: 'key_revoked',
              keys: [{ id: 'key_1', name: 'ci', hint: 'kw_…', expiresAt: null }],
              revokedKeyIds: ['key_1'],
              actor: { userId: 'usr_admin', email: 'admin@example.test' },
              reason: 'manual',
              thresholdDays: null,
              createdAt: new Date(),
              readAt: null,
            }),
          ],
          nextCursor: null,
        }),
      },
    },
  } as unknown as Api;
  return { client, settingsGet };
}

const team = (over: Partial<SessionTeam>): SessionTeam => ({ teamId: 'team_1', name: 'Acme', role: 'member', ...over });
const session = (t: SessionTeam) => ({ ...TEST_SESSION, user: { ...TEST_SESSION.user, id: ME }, teams: [t] });

describe('Generate, as the server allows it', () => {
  it('offers Generate key to a member the server lets generate, even where the settings read otherwise', async () => {
    const { client } = api(false);
    const t = team({ canGenerate: true });
    render(signedIn(client, <MyKeysSection team={t} onChanged={() => {}} />, session(t)));
    await waitFor(() => expect(screen.getByRole('button', { name: 'Generate key' })).toBeTruthy(), PATIENT);
    expect(screen.queryByText(/lets only admins generate keys/)).toBeNull();
  });

  it('offers a request instead when the server says no, whatever the role or the settings say', async () => {
    const { client } = api(true);
    const t = team({ role: 'admin', canGenerate: false });
    render(signedIn(client, <MyKeysSection team={t} onChanged={() => {}} />, session(t)));
    await waitFor(() => expect(screen.getByText(/lets only admins generate keys/)).toBeTruthy(), PATIENT);
    expect(screen.queryByRole('button', { name: 'Generate key' })).toBeNull();
  });

  it('does not offer Generate before the server has answered (a session stored without canGenerate)', async () => {
    const { client } = api(true);
    const t = team({});
    render(signedIn(client, <MyKeysSection team={t} onChanged={() => {}} />, session(t)));
    await waitFor(() => expect(screen.getByText(/lets only admins generate keys/)).toBeTruthy(), PATIENT);
    expect(screen.queryByRole('button', { name: 'Generate key' })).toBeNull();
  });

  it('offers "Generate a replacement" on a revocation only where the server lets the user generate, without reading settings', async () => {
    for (const canGenerate of [true, false]) {
      const { client, settingsGet } = api(!canGenerate);
      const t = team({ canGenerate });
      const { unmount } = render(signedIn(client, <Alerts />, session(t)));
      await waitFor(() => expect(screen.getByText('Your key “ci” was revoked by admin@example.test in Acme.')).toBeTruthy(), PATIENT);
      expect(screen.queryByRole('button', { name: 'Generate a replacement' }) !== null).toBe(canGenerate);
      expect(settingsGet).not.toHaveBeenCalled();
      unmount();
    }
  });
});
