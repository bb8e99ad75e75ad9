import { cleanup, fireEvent, render, screen, waitFor, within } from '@testing-library/preact';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { KeyFilters } from '../../shared/schemas/key';
import type { UsageOverview } from '../../shared/schemas/usage';
import { IDLE_DAYS } from '../../shared/idle';
import { KeysTab } from '../../extension/entrypoints/dashboard/KeysTab';
import type { Api } from '../../extension/lib/api';
import { signedIn } from '../helpers/signed-in';

const PATIENT = { timeout: 30_000 };
const noFail = { REVOKED: 0, DISABLED: 0, EXPIRED: 0 };
const noDeny = { RATE_LIMITED: 0, USAGE_EXCEEDED: 0, FORBIDDEN: 0, INSUFFICIENT_PERMISSIONS: 0 };

/** The calls the test answers; any other procedure stays pending (nothing here depends on it). */
function fakeApi(answers: Record<string, (input: never) => Promise<unknown>>): Api {
  const at = (path: string[]): unknown =>
    new Proxy(() => {}, {
      get: (_t, prop: string) => (prop === 'query' || prop === 'mutate' ? (answers[path.join('.')] ?? (() => new Promise(() => {}))) : at([...path, prop])),
    });
  return at([]) as Api;
}

afterEach(cleanup);

describe('the usage card and the Idle filter (issue 21, item 3)', () => {
  it('"Show" on the idle keys sets the Idle filter to the card\'s days and working keys, not a sort', async () => {
    const overview: UsageOverview = { range: '7d', bucket: 'day', buckets: [], totals: { valid: 0, failed: noFail, denied: noDeny }, keysUsed: 0, topKeys: [], neverUsed: 1, unusedFor30Days: 4 };
    const list = vi.fn(async (_input: KeyFilters) => ({ items: [], nextCursor: null, counts: { enabled: 4, disabled: 0, revoked: 0 } }));
    const api = fakeApi({ 'usage.overview': async () => overview, 'keys.list': list as never, 'members.list': async () => [], 'settings.get': () => new Promise(() => {}) });
    render(signedIn(api, <KeysTab team={{ teamId: 'team_1', name: 'Acme', role: 'admin' }} />));
    const card = await screen.findByRole('region', { name: 'Usage' }, PATIENT);
    await within(card).findByText(/working keys not used for 30 days/, {}, PATIENT);
    fireEvent.click(within(card).getByRole('button', { name: 'Show the 4 working keys not used for 30 days in the list' }));

    await waitFor(() => expect(list).toHaveBeenLastCalledWith(expect.objectContaining({ teamId: 'team_1', idleDays: IDLE_DAYS, view: ['enabled'] })), PATIENT);
    expect(list.mock.lastCall![0]).toMatchObject({ sort: 'newest' });
    expect((screen.getByRole('combobox', { name: 'Idle' }) as HTMLSelectElement).value).toBe(String(IDLE_DAYS));
    expect(document.body.textContent).not.toContain('cannot filter');
  });
});
