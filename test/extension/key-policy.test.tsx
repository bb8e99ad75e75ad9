import { cleanup, fireEvent, render, screen, waitFor } from '@testing-library/preact';
import { afterEach, describe, expect, it } from 'vitest';
import type { KeyRow } from '../../shared/schemas/key';
import type { Role } from '../../shared/schemas/policy';
import { ipAllowed } from '../../server/lib/restrictions';
import { KeyPolicy } from '../../extension/components/KeyPolicy';
import type { Api } from '../../extension/lib/api';
import { keyRow } from '../helpers/key-row';
import { signedIn } from '../helpers/signed-in';

const PATIENT = { timeout: 30_000 };

afterEach(cleanup);

const ROLES: Role[] = [
  { name: 'support', permissions: ['tickets.read'], description: 'Helpdesk', memberAssignable: true },
  { name: 'billing', permissions: ['billing.*'], description: '', memberAssignable: false },
];

/** The key's recorded verifications of the last 30 days: 3,410 from two addresses. */
const CALLS = [
  { ip: '203.0.113.5', count: 3398 },
  { ip: '198.51.100.7', count: 12 },
];

/**
 * A server holding one key: the preview replays CALLS against the proposed addresses with the real
 * matcher (only addresses matter here), and update stores what it is sent.
 */
function fakeServer(initial: Partial<KeyRow>) {
  let row = keyRow({ permissions: ['docs.read'], roles: ['support'], restrictions: { ips: [], origins: [] }, meta: null, externalId: null, ...initial });
  const updates: Record<string, unknown>[] = [];
  const previews: Record<string, unknown>[] = [];
  let identityMeta: unknown = { tier: 'gold' };
  const identityUpdates: Record<string, unknown>[] = [];
  const api = {
    roles: { list: { query: async () => ROLES } },
    identities: {
      get: {
        query: async ({ externalId }: { externalId: string }) => ({
          identity: { id: 'idn_1', externalId, meta: identityMeta },
          keys: [row, keyRow({ id: 'key_2', name: 'web' })],
        }),
      },
      update: {
        mutate: async ({ teamId: _, ...input }: { teamId: string; externalId: string; meta: unknown }) => {
          identityUpdates.push(input);
          identityMeta = input.meta;
          return { id: 'idn_1', externalId: input.externalId, meta: input.meta };
        },
      },
    },
    keys: {
      previewRestrictions: {
        query: async (input: { restrictions?: { ips: string[] } }) => {
          previews.push(input);
          const ips = input.restrictions?.ips ?? row.restrictions.ips;
          const refused = ips.length === 0 ? [] : CALLS.filter((c) => !ipAllowed(c.ip, ips));
          const wouldRefuse = refused.reduce((n, c) => n + c.count, 0);
          return {
            days: 30,
            total: 3410,
            wouldRefuse,
            byReason: { IP_NOT_ALLOWED: wouldRefuse, ORIGIN_NOT_ALLOWED: 0, INSUFFICIENT_PERMISSIONS: 0 },
            samples: refused.map((c) => ({ ...c })).sort((a, b) => b.count - a.count),
            unrecorded: 0,
          };
        },
      },
      update: {
        mutate: async ({ teamId: _, keyId: __, ...change }: Record<string, unknown>) => {
          updates.push(change);
          row = { ...row, ...(change as Partial<KeyRow>) };
          return row;
        },
      },
    },
  } as unknown as Api;
  return { api, updates, previews, identityUpdates, row: () => row };
}

const field = (name: string) => document.querySelector<HTMLTextAreaElement | HTMLInputElement>(`[name="${name}"]`)!;
const type = (name: string, value: string) => fireEvent.input(field(name), { target: { value } });

describe('KeyPolicy', () => {
  it('shows the key’s permissions, roles, restrictions, meta and identity, and its effective permissions', async () => {
    const server = fakeServer({ restrictions: { ips: ['10.0.0.0/8'], origins: ['https://*.example.com'] }, meta: { plan: 'pro' }, externalId: 'customer_42' });
    render(signedIn(server.api, <KeyPolicy teamId="team_1" row={server.row()} admin onSaved={() => {}} />));
    await waitFor(() => expect(screen.getByText('docs.read, tickets.read')).toBeTruthy(), PATIENT);
    expect(field('permissions').value).toBe('docs.read');
    expect((field('role-support') as HTMLInputElement).checked).toBe(true);
    expect((field('role-billing') as HTMLInputElement).checked).toBe(false);
    expect(field('ips').value).toBe('10.0.0.0/8');
    expect(field('origins').value).toBe('https://*.example.com');
    expect(JSON.parse(field('meta').value)).toEqual({ plan: 'pro' });
    expect(field('externalId').value).toBe('customer_42');
  });

  it('previews a narrowing, saves nothing until asked, and limits the key to the addresses it used', async () => {
    const server = fakeServer({});
    const saved: KeyRow[] = [];
    render(signedIn(server.api, <KeyPolicy teamId="team_1" row={server.row()} admin onSaved={(r) => saved.push(r)} />));
    await waitFor(() => expect(field('role-support')).toBeTruthy(), PATIENT);

    type('ips', '203.0.113.0/24');
    fireEvent.click(screen.getByRole('button', { name: 'Save policy' }));
    await screen.findByText('12 of the 3,410 verifications in the last 30 days would have been refused: 198.51.100.7 ×12.', undefined, PATIENT);
    expect(server.previews).toEqual([{ teamId: 'team_1', keyId: 'key_1', permissions: undefined, roles: undefined, restrictions: { ips: ['203.0.113.0/24'], origins: [] } }]);
    expect(server.updates).toEqual([]);

    fireEvent.click(screen.getByRole('button', { name: 'Limit to the addresses it used' }));
    await screen.findByText('Saved. None of the 3,410 verifications in the last 30 days would have been refused.', undefined, PATIENT);
    expect(server.updates).toEqual([{ restrictions: { ips: ['203.0.113.5', '198.51.100.7'], origins: [] } }]);
    expect(field('ips').value).toBe('203.0.113.5\n198.51.100.7');
    expect(saved.map((r) => r.restrictions.ips)).toEqual([['203.0.113.5', '198.51.100.7']]);
  });

  it('saves a refused narrowing only on “Save anyway”, and not after “Keep editing”', async () => {
    const server = fakeServer({});
    render(signedIn(server.api, <KeyPolicy teamId="team_1" row={server.row()} admin onSaved={() => {}} />));
    await waitFor(() => expect(field('role-support')).toBeTruthy(), PATIENT);

    type('ips', '203.0.113.0/24');
    fireEvent.click(screen.getByRole('button', { name: 'Save policy' }));
    await screen.findByRole('button', { name: 'Keep editing' }, PATIENT);
    fireEvent.click(screen.getByRole('button', { name: 'Keep editing' }));
    expect(server.updates).toEqual([]);

    fireEvent.click(screen.getByRole('button', { name: 'Save policy' }));
    fireEvent.click(await screen.findByRole('button', { name: 'Save anyway' }, PATIENT));
    await screen.findByText(/^Saved\. 12 of the 3,410 verifications/, undefined, PATIENT);
    expect(server.updates).toEqual([{ restrictions: { ips: ['203.0.113.0/24'], origins: [] } }]);
  });

  it('saves a change that narrows nothing without a preview, sending only what changed', async () => {
    const server = fakeServer({ restrictions: { ips: ['203.0.113.0/24'], origins: [] } });
    render(signedIn(server.api, <KeyPolicy teamId="team_1" row={server.row()} admin onSaved={() => {}} />));
    await waitFor(() => expect(field('role-billing')).toBeTruthy(), PATIENT);

    type('meta', '{"plan": "team"}');
    type('ips', '203.0.113.0/24\n198.51.100.0/24');
    fireEvent.click(field('role-billing'));
    type('externalId', 'customer_7');
    fireEvent.click(screen.getByRole('button', { name: 'Save policy' }));
    await screen.findByText('Saved.', undefined, PATIENT);
    expect(server.previews).toEqual([]);
    expect(server.updates).toEqual([{ roles: ['support', 'billing'], restrictions: { ips: ['203.0.113.0/24', '198.51.100.0/24'], origins: [] }, meta: { plan: 'team' }, externalId: 'customer_7' }]);
  });

  it('previews taking a permission away', async () => {
    const server = fakeServer({});
    render(signedIn(server.api, <KeyPolicy teamId="team_1" row={server.row()} admin onSaved={() => {}} />));
    await waitFor(() => expect(field('role-billing')).toBeTruthy(), PATIENT);
    type('permissions', '');
    fireEvent.click(screen.getByRole('button', { name: 'Save policy' }));
    await screen.findByText('Saved. None of the 3,410 verifications in the last 30 days would have been refused.', undefined, PATIENT);
    expect(server.updates).toEqual([{ permissions: [] }]);
    expect(server.previews).toEqual([{ teamId: 'team_1', keyId: 'key_1', permissions: [], roles: undefined, restrictions: undefined }]);
  });

  it('refuses bad input with the schema’s message and sends nothing', async () => {
    const server = fakeServer({});
    render(signedIn(server.api, <KeyPolicy teamId="team_1" row={server.row()} admin onSaved={() => {}} />));
    await waitFor(() => expect(field('role-billing')).toBeTruthy(), PATIENT);

    type('ips', '203.0.113.0/33');
    fireEvent.click(screen.getByRole('button', { name: 'Save policy' }));
    expect((await screen.findByRole('alert', undefined, PATIENT)).textContent).toBe(
      'Addresses: "203.0.113.0/33" is not an IP address or CIDR range (like 203.0.113.7, 10.0.0.0/8 or 2001:db8::/32)',
    );
    type('ips', '');
    type('meta', '[1, 2]');
    fireEvent.click(screen.getByRole('button', { name: 'Save policy' }));
    expect((await screen.findByRole('alert', undefined, PATIENT)).textContent).toBe('meta must be a JSON object, like {"plan": "pro"}');
    type('meta', '');
    type('permissions', 'Docs.Read');
    fireEvent.click(screen.getByRole('button', { name: 'Save policy' }));
    expect((await screen.findByRole('alert', undefined, PATIENT)).textContent).toBe('Permissions: "Docs.Read": a permission uses only a-z, 0-9, _, -, : and . between segments');
    expect(server.updates).toEqual([]);
    expect(server.previews).toEqual([]);
  });

  it('lets a member change restrictions, meta and assignable roles only, and never sends permissions or the identity', async () => {
    const server = fakeServer({ externalId: 'customer_42' });
    render(signedIn(server.api, <KeyPolicy teamId="team_1" row={server.row()} admin={false} onSaved={() => {}} />));
    await waitFor(() => expect(field('role-billing')).toBeTruthy(), PATIENT);
    expect(field('permissions').readOnly).toBe(true);
    expect(field('externalId').readOnly).toBe(true);
    expect(screen.getByText('Only admins change a key’s identity.')).toBeTruthy();
    expect((field('role-billing') as HTMLInputElement).disabled).toBe(true);
    expect((field('role-support') as HTMLInputElement).disabled).toBe(false);

    type('meta', '{"env": "ci"}');
    fireEvent.click(screen.getByRole('button', { name: 'Save policy' }));
    await screen.findByText('Saved.', undefined, PATIENT);
    expect(server.updates).toEqual([{ meta: { env: 'ci' } }]);
  });

  it('shows an admin the key’s identity, the keys sharing it, and saves the identity’s meta', async () => {
    const server = fakeServer({ externalId: 'customer_42' });
    render(signedIn(server.api, <KeyPolicy teamId="team_1" row={server.row()} admin onSaved={() => {}} />));
    await screen.findByText(/shared with 1 other key: web/, undefined, PATIENT);
    expect(JSON.parse(field('identityMeta').value)).toEqual({ tier: 'gold' });
    type('identityMeta', '{"tier": "platinum"}');
    fireEvent.click(screen.getByRole('button', { name: 'Save identity meta' }));
    await screen.findByText('Identity meta saved.', undefined, PATIENT);
    expect(server.identityUpdates).toEqual([{ externalId: 'customer_42', meta: { tier: 'platinum' } }]);
    expect(server.updates).toEqual([]);
  });
});
