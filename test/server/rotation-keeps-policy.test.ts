import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTeam, startTestServer, type TestServer } from '../helpers/harness';

/**
 * A rotation replaces the key's value, not what an admin set on it: the replacement keeps the
 * policy and the limits, and the credits move to it (the previous key, still in its grace, has 0).
 * An outside review found a member shedding an admin's credits, rate limits and restrictions this way.
 */
let server: TestServer;
beforeAll(async () => {
  server = await startTestServer({ label: 'rotation-keeps-policy' });
});
afterAll(() => server.close());

async function verify(body: Record<string, unknown>) {
  const res = await fetch(`${server.url}/v1/keys/verify`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  return (await res.json()) as { valid: boolean; code?: string; reason?: string; credits?: { remaining: number } | null };
}

describe('rotation', () => {
  it("keeps the key's policy and limits, and moves its credits to the replacement", async () => {
    const team = await createTeam(server);
    const member = await team.addUser('mia');
    const { key: old, row } = await member.api.keys.create.mutate({ teamId: team.teamId, name: 'metered' });
    const set = { permissions: ['docs.read'], restrictions: { ips: ['203.0.113.0/24'], origins: [] }, meta: { plan: 'pro' }, ratelimits: [{ name: 'api', limit: 100, durationMs: 60_000 }], credits: { remaining: 5, refill: null } };
    await team.admin.api.keys.update.mutate({ teamId: team.teamId, keyId: row.id, ...set });
    expect(await verify({ key: old, context: { ip: '203.0.113.9' } })).toMatchObject({ valid: true, credits: { remaining: 4 } });

    const rotated = await member.api.keys.rotate.mutate({ teamId: team.teamId, keyId: row.id, graceHours: 1 });
    expect(rotated.row).toMatchObject({ permissions: ['docs.read'], restrictions: { ips: ['203.0.113.0/24'], origins: [] }, meta: { plan: 'pro' }, ratelimits: [{ name: 'api', limit: 100, durationMs: 60_000, autoApply: true }] });
    // The restriction still holds for the replacement, and the balance went with it.
    expect(await verify({ key: rotated.key, context: { ip: '198.51.100.1' } })).toMatchObject({ valid: false, code: 'FORBIDDEN', reason: 'IP_NOT_ALLOWED' });
    expect(await verify({ key: rotated.key, context: { ip: '203.0.113.9' } })).toMatchObject({ valid: true, credits: { remaining: 3 } });
    // The previous key works through its grace, but has no credits left to spend.
    expect(await verify({ key: old, context: { ip: '203.0.113.9' } })).toMatchObject({ valid: false, code: 'USAGE_EXCEEDED' });
    const rows = (await team.admin.api.keys.list.query({ teamId: team.teamId, view: ['enabled'] })).items;
    expect(rows.find((r) => r.id === rotated.row.id)?.credits).toMatchObject({ remaining: 3 });
    expect(rows.find((r) => r.id === row.id)?.credits).toMatchObject({ remaining: 0 });
  });
});
