import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_ADMIN, seedDemo } from '../../server/seed';
import { startTestServer, type TestServer } from '../helpers/harness';

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer({ label: 'seed' });
});
afterAll(() => server.close());

describe('the demo seed', () => {
  it('creates an admin, two members and keys in every state, once', async () => {
    const seeded = await seedDemo(server.deps, server.services);
    expect(seeded).toEqual({ teamId: expect.stringMatching(/^team_/), adminEmail: DEMO_ADMIN });
    const { teamId } = seeded!;

    const members = await server.services.members.list(teamId);
    expect(members.map((m) => m.role).sort()).toEqual(['member', 'member', 'super_admin']);
    expect(members.find((m) => m.role === 'super_admin')!.email).toBe(DEMO_ADMIN);

    const list = await server.services.keysAdmin.list({ teamId, view: ['enabled', 'disabled', 'revoked'], sort: 'newest', limit: 50 });
    const byName = Object.fromEntries(list.items.map((k) => [k.name, k]));
    expect(byName['Alice staging']).toMatchObject({ status: 'disabled' });
    expect(byName['Bob old script']).toMatchObject({ status: 'revoked', revokedReason: 'manual' });
    expect(byName['Bob trial']).toMatchObject({ status: 'revoked', revokedReason: 'expired' });
    const expiring = byName['Bob metrics']!;
    expect(expiring.status).toBe('enabled');
    expect(Math.round((expiring.expiresAt!.getTime() - Date.now()) / 86_400_000)).toBe(3);
    expect(list.counts).toEqual({ enabled: 3, disabled: 1, revoked: 2 });

    expect(await seedDemo(server.deps, server.services)).toBeNull();
  });
});
