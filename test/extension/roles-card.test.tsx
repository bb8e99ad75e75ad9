import { cleanup, fireEvent, render, screen, waitFor } from '@testing-library/preact';
import { afterEach, describe, expect, it } from 'vitest';
import type { Role } from '../../shared/schemas/policy';
import { GenerateKey } from '../../extension/components/GenerateKey';
import { RolesCard } from '../../extension/components/RolesCard';
import type { Api } from '../../extension/lib/api';
import { keyRow } from '../helpers/key-row';
import { signedIn } from '../helpers/signed-in';

const PATIENT = { timeout: 30_000 };

afterEach(cleanup);

/** A server holding a team's roles; upsert and delete change them as the real one does. */
function fakeServer(initial: Role[]) {
  let roles = [...initial];
  const calls: { op: string; input: Record<string, unknown> }[] = [];
  const api = {
    roles: {
      list: { query: async () => roles },
      upsert: {
        mutate: async ({ teamId: _, ...role }: Role & { teamId: string }) => {
          calls.push({ op: 'upsert', input: role });
          roles = [...roles.filter((r) => r.name !== role.name), role];
          return role;
        },
      },
      delete: {
        mutate: async (input: { name: string }) => {
          calls.push({ op: 'delete', input });
          const gone = roles.find((r) => r.name === input.name)!;
          roles = roles.filter((r) => r.name !== input.name);
          return gone;
        },
      },
    },
    keys: {
      create: {
        mutate: async (input: Record<string, unknown>) => {
          calls.push({ op: 'create', input });
          return { key: 'kw_secret', row: keyRow({ name: String(input.name) }) };
        },
      },
    },
  } as unknown as Api;
  return { api, calls, roles: () => roles };
}

const field = (name: string) => document.querySelector<HTMLTextAreaElement | HTMLInputElement>(`[name="${name}"]`)!;
const type = (name: string, value: string) => fireEvent.input(field(name), { target: { value } });

describe('RolesCard', () => {
  it('adds a role, checked by the shared schema first', async () => {
    const server = fakeServer([]);
    render(signedIn(server.api, <RolesCard teamId="team_1" />));
    await screen.findByText('No roles yet.', undefined, PATIENT);

    fireEvent.click(screen.getByRole('button', { name: 'New role' }));
    type('roleName', 'Support Team');
    fireEvent.click(screen.getByRole('button', { name: 'Add role' }));
    expect((await screen.findByRole('alert')).textContent).toBe('Name: a role name uses a-z, 0-9, _, -, . and :, and starts with a letter or digit');

    type('roleName', 'support');
    type('rolePermissions', 'tickets.read\ntickets.write');
    fireEvent.click(field('memberAssignable'));
    fireEvent.click(screen.getByRole('button', { name: 'Add role' }));
    await screen.findByText('Saved “support”. Every key holding it has its permissions now.', undefined, PATIENT);
    expect(server.calls).toEqual([{ op: 'upsert', input: { name: 'support', permissions: ['tickets.read', 'tickets.write'], description: '', memberAssignable: true } }]);
    await screen.findByText('tickets.read, tickets.write', undefined, PATIENT);
  });

  it('edits a role’s permissions and deletes a role after asking', async () => {
    const server = fakeServer([{ name: 'billing', permissions: ['billing.*'], description: 'Finance', memberAssignable: false }]);
    render(signedIn(server.api, <RolesCard teamId="team_1" />));
    fireEvent.click(await screen.findByRole('button', { name: 'Edit role billing' }, PATIENT));
    expect(field('roleName').readOnly).toBe(true);
    type('rolePermissions', 'billing.invoices.read');
    fireEvent.click(screen.getByRole('button', { name: 'Save role' }));
    await screen.findByText('billing.invoices.read', undefined, PATIENT);
    expect(server.roles()).toEqual([{ name: 'billing', permissions: ['billing.invoices.read'], description: 'Finance', memberAssignable: false }]);

    fireEvent.click(screen.getByRole('button', { name: 'Delete role billing' }));
    fireEvent.click(screen.getByRole('button', { name: 'Delete role' }));
    await screen.findByText('Deleted “billing”. Keys that held it no longer have its permissions.', undefined, PATIENT);
    await waitFor(() => expect(screen.getByText('No roles yet.')).toBeTruthy(), PATIENT);
  });
});

describe('GenerateKey with a policy (admins)', () => {
  it('sends the new key’s permissions and roles', async () => {
    const server = fakeServer([{ name: 'support', permissions: ['tickets.read'], description: '', memberAssignable: true }]);
    render(signedIn(server.api, <GenerateKey teamId="team_1" maxLifetimeDays={null} allowPolicy onCreated={() => {}} />));
    await waitFor(() => expect(field('role-support')).toBeTruthy(), PATIENT);
    type('keyName', 'ci');
    type('permissions', 'docs.read, billing.*');
    fireEvent.click(field('role-support'));
    fireEvent.click(screen.getByRole('button', { name: 'Generate key' }));
    await waitFor(() => expect(server.calls).toHaveLength(1), PATIENT);
    expect(server.calls[0]).toEqual({ op: 'create', input: { teamId: 'team_1', name: 'ci', expiresInDays: undefined, permissions: ['docs.read', 'billing.*'], roles: ['support'] } });
  });

  it('refuses a bad permission before sending anything', async () => {
    const server = fakeServer([]);
    render(signedIn(server.api, <GenerateKey teamId="team_1" maxLifetimeDays={null} allowPolicy onCreated={() => {}} />));
    type('keyName', 'ci');
    type('permissions', 'docs.*.read');
    fireEvent.click(screen.getByRole('button', { name: 'Generate key' }));
    expect((await screen.findByRole('alert', undefined, PATIENT)).textContent).toBe('Permissions: "docs.*.read": a * may only be the whole last segment, as in billing.*');
    expect(server.calls).toEqual([]);
  });

  it('offers no policy fields to a member', () => {
    const server = fakeServer([]);
    render(signedIn(server.api, <GenerateKey teamId="team_1" maxLifetimeDays={null} onCreated={() => {}} />));
    expect(field('permissions')).toBeNull();
  });
});
