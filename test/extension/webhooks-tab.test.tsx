import { cleanup, fireEvent, render, screen, waitFor, within } from '@testing-library/preact';
import { afterEach, describe, expect, it } from 'vitest';
import { WebhooksTab } from '../../extension/entrypoints/dashboard/WebhooksTab';
import type { Api } from '../../extension/lib/api';
import { signedIn } from '../helpers/signed-in';

const PATIENT = { timeout: 30_000 };
const team = { teamId: 'team_1', name: 'Acme', role: 'super_admin' as const };
const SECRET = `whsec_${Buffer.alloc(32, 7).toString('base64')}`;

afterEach(cleanup);

/** A server holding one team's endpoints, answering as the real webhooks.* procedures do. */
function fakeServer() {
  const endpoints: Record<string, any>[] = [];
  const calls: { name: string; input: Record<string, unknown> }[] = [];
  const now = new Date('2026-12-01T10:00:00Z');
  const api = {
    webhooks: {
      list: { query: async () => endpoints.map((e) => ({ ...e })) },
      create: {
        mutate: async (input: Record<string, any>) => {
          calls.push({ name: 'create', input });
          const endpoint = { id: `whe_${endpoints.length + 1}`, url: input.url, description: input.description ?? null, events: input.events, format: input.format, enabled: true, disabledReason: null, failingSince: null, previousSecretUntil: null, createdAt: now, updatedAt: now };
          endpoints.push(endpoint);
          return { endpoint, secret: SECRET };
        },
      },
      update: {
        mutate: async (input: Record<string, any>) => {
          calls.push({ name: 'update', input });
          const e = endpoints.find((x) => x.id === input.endpointId)!;
          if (input.enabled !== undefined) e.enabled = input.enabled;
          return e;
        },
      },
      test: { mutate: async (input: Record<string, unknown>) => (calls.push({ name: 'test', input }), { eventId: 'evt_ping_1' }) },
      rotateSecret: { mutate: async () => ({ endpoint: endpoints[0], secret: SECRET }) },
      delete: { mutate: async () => ({ deleted: true }) },
      deliveries: {
        query: async () => ({
          items: [
            { id: 'd2', eventId: 'evt_1', event: 'key.revoked', attempt: 2, at: now, statusCode: 200, durationMs: 12, error: null, nextRetryAt: null, outcome: 'delivered' },
            { id: 'd1', eventId: 'evt_1', event: 'key.revoked', attempt: 1, at: now, statusCode: 500, durationMs: 30, error: 'the endpoint answered HTTP 500', nextRetryAt: now, outcome: 'retrying' },
          ],
          nextCursor: null,
        }),
      },
    },
  } as unknown as Api;
  return { api, calls, endpoints };
}

describe('WebhooksTab', () => {
  it('adds an endpoint for the chosen events and shows its signing secret once', async () => {
    const server = fakeServer();
    render(signedIn(server.api, <WebhooksTab team={team} />));
    await screen.findByText('No webhook endpoints yet.', undefined, PATIENT);

    fireEvent.input(screen.getByLabelText('Endpoint URL'), { target: { value: 'https://siem.example.com/hook' } });
    fireEvent.click(screen.getByLabelText('key.created'));
    fireEvent.click(screen.getByLabelText('key.leaked'));
    fireEvent.click(screen.getByRole('button', { name: 'Add endpoint' }));

    const secret = await screen.findByLabelText('Webhook signing secret', undefined, PATIENT);
    expect((secret as HTMLInputElement).value).toBe(SECRET);
    expect(server.calls[0]).toEqual({ name: 'create', input: { teamId: 'team_1', url: 'https://siem.example.com/hook', events: ['key.revoked', 'key.created'], format: 'standard' } });
    await screen.findByRole('article', { name: 'Webhook https://siem.example.com/hook' }, PATIENT);
    fireEvent.click(screen.getByRole('button', { name: 'Done' }));
    expect(screen.queryByLabelText('Webhook signing secret')).toBeNull();
  });

  it('refuses to send a form without events', async () => {
    const server = fakeServer();
    render(signedIn(server.api, <WebhooksTab team={team} />));
    await screen.findByText('No webhook endpoints yet.', undefined, PATIENT);
    fireEvent.input(screen.getByLabelText('Endpoint URL'), { target: { value: 'https://siem.example.com/hook' } });
    fireEvent.click(screen.getByLabelText('key.revoked'));
    fireEvent.click(screen.getByLabelText('key.leaked'));
    fireEvent.click(screen.getByRole('button', { name: 'Add endpoint' }));
    expect((await screen.findByRole('alert')).textContent).toMatch(/at least one event/);
    expect(server.calls).toEqual([]);
  });

  it('disables an endpoint, sends a test ping, and shows its delivery attempts', async () => {
    const server = fakeServer();
    await server.api.webhooks.create.mutate({ teamId: 'team_1', url: 'https://hooks.example.com/a', events: ['key.revoked'], format: 'standard' });
    render(signedIn(server.api, <WebhooksTab team={team} />));
    const card = await screen.findByRole('article', { name: 'Webhook https://hooks.example.com/a' }, PATIENT);

    fireEvent.click(within(card).getByRole('button', { name: 'Disable' }));
    await waitFor(() => expect(within(card).getByRole('button', { name: 'Enable' })).toBeTruthy(), PATIENT);
    expect(server.calls.at(-1)).toEqual({ name: 'update', input: { teamId: 'team_1', endpointId: 'whe_1', enabled: false } });

    fireEvent.click(within(card).getByRole('button', { name: 'Send test' }));
    await screen.findByText('Test ping sent to https://hooks.example.com/a.', undefined, PATIENT);
    const rows = await within(card).findAllByRole('row', undefined, PATIENT);
    expect(rows.map((r) => r.textContent)).toEqual([
      expect.stringContaining('When'),
      expect.stringMatching(/key\.revoked2Delivered20012 ms/),
      expect.stringMatching(/key\.revoked1Will retry50030 msthe endpoint answered HTTP 500/),
    ]);
  });
});
