import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTeam, startTestServer, type TestServer } from '../helpers/harness';

/**
 * The Keys tab's Role and Identity filters are part of KeyFilters, so the list, its counts and
 * the `*Matching` actions all honour them (issue 20's lesson: one schema, every place).
 */
let server: TestServer;
beforeAll(async () => {
  server = await startTestServer({ label: 'key-policy-filters' });
});
afterAll(() => server.close());

const ALL = ['enabled', 'disabled', 'revoked'] as const;

async function scene() {
  const team = await createTeam(server);
  const api = team.admin.api;
  const teamId = team.teamId;
  await api.roles.upsert.mutate({ teamId, name: 'support', permissions: ['tickets.read'] });
  await api.roles.upsert.mutate({ teamId, name: 'billing', permissions: ['billing.*'] });
  const create = async (name: string, over: { roles?: string[]; externalId?: string }) => (await api.keys.create.mutate({ teamId, name, ...over })).row.id;
  const support1 = await create('support-1', { roles: ['support'], externalId: 'acme' });
  const support2 = await create('support-2', { roles: ['support', 'billing'] });
  const billing = await create('billing-1', { roles: ['billing'], externalId: 'acme' });
  const plain = await create('plain', { externalId: 'globex' });
  // Another team with the same role name and identity: never in this team's answers.
  const other = await createTeam(server, 'Other');
  await other.admin.api.roles.upsert.mutate({ teamId: other.teamId, name: 'support', permissions: [] });
  const otherKey = (await other.admin.api.keys.create.mutate({ teamId: other.teamId, name: 'theirs', roles: ['support'], externalId: 'acme' })).row.id;
  return { team, api, teamId, support1, support2, billing, plain, otherKey };
}

describe('the Role and Identity filters', () => {
  it('select the keys of a role or an identity in the list and its counts', async () => {
    const s = await scene();
    const byRole = await s.api.keys.list.query({ teamId: s.teamId, view: [...ALL], role: 'support' });
    expect(byRole.items.map((k) => k.id).sort()).toEqual([s.support1, s.support2].sort());
    expect(byRole.counts).toEqual({ enabled: 2, disabled: 0, revoked: 0 });

    const byIdentity = await s.api.keys.list.query({ teamId: s.teamId, view: [...ALL], externalId: 'acme' });
    expect(byIdentity.items.map((k) => k.id).sort()).toEqual([s.support1, s.billing].sort());
    expect(byIdentity.counts).toEqual({ enabled: 2, disabled: 0, revoked: 0 });

    const both = await s.api.keys.list.query({ teamId: s.teamId, view: [...ALL], role: 'billing', externalId: 'acme' });
    expect(both.items.map((k) => k.id)).toEqual([s.billing]);
  });

  it('count a key that gains a role or identity at once (no stale cached count)', async () => {
    const s = await scene();
    const count = async (filters: { role?: string; externalId?: string }) => (await s.api.keys.list.query({ teamId: s.teamId, view: [...ALL], ...filters })).counts.enabled;
    expect(await count({ role: 'support' })).toBe(2);
    expect(await count({ externalId: 'globex' })).toBe(1);
    await s.api.keys.update.mutate({ teamId: s.teamId, keyId: s.plain, roles: ['support'], externalId: 'acme' });
    expect(await count({ role: 'support' })).toBe(3);
    expect(await count({ externalId: 'globex' })).toBe(0);
    expect(await count({ externalId: 'acme' })).toBe(3);
  });

  it('reach exactly the filtered keys with “select all matching”', async () => {
    const s = await scene();
    const result = await s.api.keys.disableMatching.mutate({ teamId: s.teamId, view: ['enabled'], role: 'support', expectedCount: 2 });
    expect(result.changed.sort()).toEqual([s.support1, s.support2].sort());
    const revoked = await s.api.keys.revokeMatching.mutate({ teamId: s.teamId, view: [...ALL], externalId: 'globex', expectedCount: 1 });
    expect(revoked.revoked).toEqual([s.plain]);
    const rest = await s.api.keys.list.query({ teamId: s.teamId, view: ['enabled'] });
    expect(rest.items.map((k) => k.id)).toEqual([s.billing]);
  });
});
