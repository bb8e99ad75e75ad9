import { cleanup, fireEvent, render, screen, waitFor } from '@testing-library/preact';
import { afterEach, describe, expect, it } from 'vitest';
import type { KeyRow } from '../../shared/schemas/key';
import { KeyLimitsCard } from '../../extension/components/KeyLimitsCard';
import type { Api } from '../../extension/lib/api';
import { signedIn } from '../helpers/signed-in';

/** Issue 25: a key's rate limits and credits in the key details panel, edited by admins and read-only for members. */
const PATIENT = { timeout: 30_000 };
afterEach(cleanup);

type Limits = Pick<KeyRow, 'id' | 'ratelimits' | 'credits'>;
const START: Limits = { id: 'key_1', ratelimits: [{ name: 'api', limit: 100, durationMs: 60_000, autoApply: true }], credits: { remaining: 500, refill: { amount: 500, interval: 'monthly', refillDay: 1 } } };

/** A server holding one key's limits: update stores what it is sent and answers the row. */
function fakeServer(initial: Limits) {
  let row = initial;
  const updates: Record<string, unknown>[] = [];
  const api = {
    keys: {
      update: {
        mutate: async ({ teamId: _, keyId: __, ...change }: Record<string, unknown>) => {
          updates.push(change);
          row = { ...row, ...(change as Partial<Limits>) };
          return row;
        },
      },
    },
  } as unknown as Api;
  return { api, updates };
}

const section = () => screen.getByRole('region', { name: 'Rate limits and credits' });
const editor = () => screen.getByLabelText(/^Limits \(JSON/) as HTMLTextAreaElement;

describe('KeyLimitsCard', () => {
  it('lets an admin edit and save the limits, and shows what was saved', async () => {
    const server = fakeServer(START);
    render(signedIn(server.api, <KeyLimitsCard teamId="team_1" keyId="key_1" row={START} admin />));
    expect(section().textContent).toContain('api: 100 per 60 s');
    expect(section().textContent).toContain('500 left, refilled to 500 monthly on day 1 (00:00 UTC)');

    fireEvent.click(screen.getByRole('button', { name: 'Edit limits' }));
    expect(JSON.parse(editor().value)).toEqual({ ratelimits: START.ratelimits, credits: START.credits });
    const next = { ratelimits: [{ name: 'burst', limit: 5, durationMs: 1000, autoApply: false }], credits: { remaining: 20, refill: null } };
    fireEvent.input(editor(), { target: { value: JSON.stringify(next) } });
    fireEvent.click(screen.getByRole('button', { name: 'Save limits' }));

    await waitFor(() => expect(screen.queryByRole('button', { name: 'Save limits' })).toBeNull(), PATIENT);
    expect(server.updates).toEqual([next]);
    expect(section().textContent).toContain('burst: 5 per 1 s (when named)');
    expect(section().textContent).toContain('20 left');
    expect(section().textContent).not.toContain('refilled');
  });

  it("refuses an invalid configuration with the schema's message, and sends nothing", async () => {
    const server = fakeServer(START);
    render(signedIn(server.api, <KeyLimitsCard teamId="team_1" keyId="key_1" row={START} admin />));
    fireEvent.click(screen.getByRole('button', { name: 'Edit limits' }));
    fireEvent.input(editor(), { target: { value: JSON.stringify({ ratelimits: [{ name: 'Bad Name', limit: 0, durationMs: 60_000 }], credits: null }) } });
    fireEvent.click(screen.getByRole('button', { name: 'Save limits' }));
    const alert = await screen.findByRole('alert', undefined, PATIENT);
    expect(alert.textContent).toContain('ratelimits.0.name: a rate limit name uses only a-z, 0-9, _ and -');
    expect(alert.textContent).toContain('ratelimits.0.limit: limit is at least 1');
    fireEvent.input(editor(), { target: { value: '{ not json' } });
    fireEvent.click(screen.getByRole('button', { name: 'Save limits' }));
    await waitFor(() => expect(screen.getByRole('alert').textContent).toBe('Not valid JSON.'), PATIENT);
    expect(server.updates).toEqual([]);
    // Still editing, and the shown limits are unchanged.
    expect(editor()).toBeTruthy();
    expect(section().textContent).toContain('api: 100 per 60 s');
  });

  it('shows a member the limits of their key read-only', () => {
    const server = fakeServer(START);
    render(signedIn(server.api, <KeyLimitsCard teamId="team_1" keyId="key_1" row={START} admin={false} />));
    expect(section().textContent).toContain('api: 100 per 60 s');
    expect(section().textContent).toContain('500 left');
    expect(screen.queryByRole('button')).toBeNull();
    expect(screen.queryByRole('textbox')).toBeNull();
  });

  it('says None and Unlimited for a key without limits', () => {
    const row: Limits = { id: 'key_1', ratelimits: [], credits: null };
    render(signedIn(fakeServer(row).api, <KeyLimitsCard teamId="team_1" keyId="key_1" row={row} admin={false} />));
    expect(section().textContent).toContain('None');
    expect(section().textContent).toContain('Unlimited');
  });
});
