import { TRPCClientError } from '@trpc/client';
import { cleanup, fireEvent, render, screen, within } from '@testing-library/preact';
import { afterEach, describe, expect, it } from 'vitest';
import type { KeyRow } from '../../shared/schemas/key';
import { KeyLimitsCard } from '../../extension/components/KeyLimitsCard';
import type { Api } from '../../extension/lib/api';
import { signedIn } from '../helpers/signed-in';

/** Issue 25: a key's rate limits and credits in the key details panel, edited by admins and read-only for members. */
const PATIENT = { timeout: 30_000 };
afterEach(cleanup);

type Limits = Pick<KeyRow, 'id' | 'ratelimits' | 'credits'>;
const API_LIMIT = { name: 'api', limit: 100, durationMs: 60_000, autoApply: true };
const START: Limits = { id: 'key_1', ratelimits: [API_LIMIT], credits: { remaining: 500, refill: { amount: 500, interval: 'monthly', refillDay: 1 } } };
const EMPTY: Limits = { id: 'key_1', ratelimits: [], credits: null };

/** A server holding one key's limits: update stores what it is sent and answers the row, or refuses with `refusal`. */
function fakeServer(initial: Limits, refusal?: string) {
  let row = initial;
  const updates: Record<string, unknown>[] = [];
  const api = {
    keys: {
      update: {
        mutate: async ({ teamId: _, keyId: __, ...change }: Record<string, unknown>) => {
          updates.push(change);
          if (refusal) throw new TRPCClientError(refusal, { result: { error: { code: -32600, message: refusal, data: { code: 'BAD_REQUEST' } } } } as never);
          row = { ...row, ...(change as Partial<Limits>) };
          return row;
        },
      },
    },
  } as unknown as Api;
  return { api, updates };
}

const section = () => screen.getByRole('region', { name: 'Rate limits and credits' });
const form = () => screen.getByRole('form', { name: 'Edit rate limits and credits' });
const limitRow = (n: number) => within(form()).getByRole('group', { name: `Rate limit ${n}` });
const type = (el: HTMLElement, value: string) => fireEvent.input(el, { target: { value } });
const save = () => fireEvent.click(screen.getByRole('button', { name: 'Save limits' }));
/** Saved and back to the summary: the form is gone and "Edit limits" is offered again. */
const saved = () => screen.findByRole('button', { name: 'Edit limits' }, PATIENT);

function openAsAdmin(row: Limits, refusal?: string) {
  const server = fakeServer(row, refusal);
  render(signedIn(server.api, <KeyLimitsCard teamId="team_1" keyId="key_1" row={row} admin />));
  fireEvent.click(screen.getByRole('button', { name: 'Edit limits' }));
  return server;
}

/** Fills the rate limit row `n` (1-based). */
function fillLimit(n: number, l: { name: string; limit: string; window: string; unit: string; autoApply: boolean }) {
  const r = within(limitRow(n));
  type(r.getByLabelText('Name'), l.name);
  type(r.getByLabelText('Limit (calls)'), l.limit);
  type(r.getByLabelText('Window (1 second to 24 hours)'), l.window);
  fireEvent.change(r.getByLabelText('Window unit'), { target: { value: l.unit } });
  const auto = r.getByRole('checkbox', { name: /Apply to every verify/ }) as HTMLInputElement;
  if (auto.checked !== l.autoApply) fireEvent.click(auto);
}

describe('KeyLimitsCard', () => {
  it('lets an admin add a rate limit in the form, save it, and shows what was saved', async () => {
    const server = openAsAdmin(START);
    expect(section().textContent).toContain('api: 100 per 60 s');
    expect(section().textContent).toContain('500 left, refilled to 500 monthly on day 1 (00:00 UTC)');
    // The form starts from the key's limits, the window in its largest whole unit.
    const first = within(limitRow(1));
    expect((first.getByLabelText('Name') as HTMLInputElement).value).toBe('api');
    expect((first.getByLabelText('Limit (calls)') as HTMLInputElement).value).toBe('100');
    expect((first.getByLabelText('Window (1 second to 24 hours)') as HTMLInputElement).value).toBe('1');
    expect((first.getByLabelText('Window unit') as HTMLSelectElement).value).toBe('minutes');

    fireEvent.click(screen.getByRole('button', { name: 'Add a rate limit' }));
    fillLimit(2, { name: 'burst', limit: '5', window: '2', unit: 'seconds', autoApply: false });
    save();

    await saved();
    expect(screen.queryByRole('form')).toBeNull();
    expect(server.updates).toEqual([
      {
        // The credits were not touched: not sent, so the balance spent since the form opened stays spent.
        ratelimits: [API_LIMIT, { name: 'burst', limit: 5, durationMs: 2000, autoApply: false }],
      },
    ]);
    expect(section().textContent).toContain('api: 100 per 60 s; burst: 5 per 2 s (when named)');
  });

  it('shows each bad value at its field, labelled by the field, and sends nothing', async () => {
    const server = openAsAdmin(START);
    fireEvent.click(screen.getByRole('button', { name: 'Add a rate limit' }));
    fillLimit(2, { name: 'Bad Name', limit: '3', window: '0', unit: 'minutes', autoApply: true });
    save();

    const row = within(limitRow(2));
    const alerts = await row.findAllByRole('alert', undefined, PATIENT);
    expect(alerts.map((a) => a.textContent)).toEqual(['Rate limit 2, name: a rate limit name uses only a-z, 0-9, _ and -', 'Rate limit 2, window: a window is 1 second to 24 hours']);
    expect(row.getByLabelText('Name').getAttribute('aria-invalid')).toBe('true');
    expect(row.getByLabelText('Name').getAttribute('aria-describedby')).toBe(alerts[0]!.id);
    // The good first row has no problem; nothing was sent and the summary is unchanged.
    expect(within(limitRow(1)).queryByRole('alert')).toBeNull();
    expect(server.updates).toEqual([]);
    expect(section().textContent).toContain('api: 100 per 60 s');

    // Correcting the name clears its message; the window's stays until it is corrected too.
    type(row.getByLabelText('Name'), 'burst');
    expect(row.getAllByRole('alert').map((a) => a.textContent)).toEqual(['Rate limit 2, window: a window is 1 second to 24 hours']);
    type(row.getByLabelText('Window (1 second to 24 hours)'), '1');
    save();
    await saved();
    expect(server.updates).toEqual([{ ratelimits: [API_LIMIT, { name: 'burst', limit: 3, durationMs: 60_000, autoApply: true }] }]);
  });

  it('removes a rate limit', async () => {
    const server = openAsAdmin(START);
    fireEvent.click(within(limitRow(1)).getByRole('button', { name: 'Remove' }));
    expect(within(form()).queryByRole('group', { name: 'Rate limit 1' })).toBeNull();
    save();
    await saved();
    expect(server.updates).toEqual([{ ratelimits: [] }]);
    expect(section().textContent).toContain('Rate limitsNone');
  });

  it('offers at most 5 rate limits', () => {
    openAsAdmin(EMPTY);
    const add = screen.getByRole('button', { name: 'Add a rate limit' }) as HTMLButtonElement;
    for (let i = 0; i < 5; i++) fireEvent.click(add);
    expect(within(form()).getAllByRole('group', { name: /^Rate limit \d$/ })).toHaveLength(5);
    expect(add.disabled).toBe(true);
    expect(screen.getByText('A key has at most 5 rate limits.').id).toBe(add.getAttribute('aria-describedby'));
  });

  it('turns credits on with a monthly refill on day 31, and says when refills happen', async () => {
    const server = openAsAdmin(EMPTY);
    expect(screen.queryByLabelText('Remaining (calls left)')).toBeNull();
    fireEvent.click(screen.getByRole('checkbox', { name: 'Limit the number of calls (credits)' }));
    type(screen.getByLabelText('Remaining (calls left)'), '200');
    fireEvent.change(screen.getByLabelText('Refill'), { target: { value: 'monthly' } });
    type(screen.getByLabelText('Refill to (credits)'), '500');
    type(screen.getByLabelText(/^Refill day/), '31');
    expect(form().textContent).toContain('A shorter month refills on its last day');
    expect(form().textContent).toContain('Refills happen at 00:00 UTC');
    save();
    await saved();
    expect(server.updates).toEqual([{ ratelimits: [], credits: { remaining: 200, refill: { amount: 500, interval: 'monthly', refillDay: 31 } } }]);
    expect(section().textContent).toContain('200 left, refilled to 500 monthly on day 31 (00:00 UTC)');
  });

  it('turns credits off', async () => {
    const server = openAsAdmin(START);
    fireEvent.click(screen.getByRole('checkbox', { name: 'Limit the number of calls (credits)' }));
    save();
    await saved();
    expect(server.updates).toEqual([{ ratelimits: START.ratelimits, credits: null }]);
    expect(section().textContent).toContain('Unlimited');
  });

  it("shows the server's message when it refuses, and keeps the form", async () => {
    const server = openAsAdmin(START, 'Credits cannot be changed on a revoked key.');
    save();
    const alert = await screen.findByRole('alert', undefined, PATIENT);
    expect(alert.textContent).toContain('Credits cannot be changed on a revoked key.');
    expect(server.updates).toHaveLength(1);
    expect(form()).toBeTruthy();
    expect(section().textContent).toContain('api: 100 per 60 s');
  });

  it('cancels without sending, and the next edit starts from what is saved', () => {
    const server = openAsAdmin(START);
    type(within(limitRow(1)).getByLabelText('Name'), 'changed');
    fireEvent.click(screen.getByRole('button', { name: 'Cancel' }));
    expect(screen.queryByRole('form')).toBeNull();
    fireEvent.click(screen.getByRole('button', { name: 'Edit limits' }));
    expect((within(limitRow(1)).getByLabelText('Name') as HTMLInputElement).value).toBe('api');
    expect(server.updates).toEqual([]);
  });

  it('shows a member the limits of their key read-only', () => {
    const server = fakeServer(START);
    render(signedIn(server.api, <KeyLimitsCard teamId="team_1" keyId="key_1" row={START} admin={false} />));
    expect(section().textContent).toContain('api: 100 per 60 s');
    expect(section().textContent).toContain('500 left');
    expect(screen.queryByRole('button')).toBeNull();
    expect(screen.queryByRole('form')).toBeNull();
    expect(screen.queryByRole('textbox')).toBeNull();
  });

  it('says None and Unlimited for a key without limits', () => {
    render(signedIn(fakeServer(EMPTY).api, <KeyLimitsCard teamId="team_1" keyId="key_1" row={EMPTY} admin={false} />));
    expect(section().textContent).toContain('None');
    expect(section().textContent).toContain('Unlimited');
  });
});
