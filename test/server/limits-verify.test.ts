import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTeam, errorCode, startTestServer, type TestServer } from '../helpers/harness';
import { auditOf } from '../helpers/fixtures';

/** Issue 25 through the API: rate limits and credits as verify decides them, and bad settings refused. */
let server: TestServer;
let team: Awaited<ReturnType<typeof createTeam>>;

beforeAll(async () => {
  server = await startTestServer({ label: 'limits-verify' });
  team = await createTeam(server, 'Limits');
});
afterAll(() => server.close());

type Answer = {
  valid: boolean;
  code?: string;
  ratelimits?: { name: string; limit: number; remaining: number; reset: number }[];
  credits?: { remaining: number } | null;
};

async function verify(body: Record<string, unknown>): Promise<{ status: number; body: Answer & { message?: string } }> {
  const res = await fetch(`${server.url}/v1/keys/verify`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  return { status: res.status, body: (await res.json()) as Answer & { message?: string } };
}

const create = (limits: Record<string, unknown>) => team.admin.api.keys.create.mutate({ teamId: team.teamId, name: `limited ${Math.random()}`, ...limits });

describe('rate limits', () => {
  it('counts remaining down, answers RATE_LIMITED with a future reset, and works again after it', async () => {
    const { key, row } = await create({ ratelimits: [{ name: 'api', limit: 3, durationMs: 2000 }] });
    expect(row.ratelimits).toEqual([{ name: 'api', limit: 3, durationMs: 2000, autoApply: true }]);
    // The server's clock stands still at the start of a window (fresh: ahead of now), so three calls fit in it
    // whatever the machine's load; it then moves past the reset the refusal named.
    const realNow = server.deps.now;
    const start = Math.ceil(Date.now() / 2000) * 2000 + 60_000;
    server.deps.now = () => new Date(start + 20);
    try {
      const remaining: number[] = [];
      for (let i = 0; i < 3; i++) {
        const { body } = await verify({ key });
        expect(body.valid).toBe(true);
        remaining.push(body.ratelimits![0]!.remaining);
      }
      expect(remaining).toEqual([2, 1, 0]);
      const refused = (await verify({ key })).body;
      expect(refused).toMatchObject({ valid: false, code: 'RATE_LIMITED', ratelimits: [{ name: 'api', limit: 3, remaining: 0, reset: start + 2000 }] });
      // After the reset the key works again.
      server.deps.now = () => new Date(start + 2000 + 20);
      expect((await verify({ key })).body).toMatchObject({ valid: true, ratelimits: [{ name: 'api', remaining: 2 }] });
    } finally {
      server.deps.now = realNow;
    }
  });

  it('applies a limit that is not auto-applied only when the verify names it, with its cost', async () => {
    const { key } = await create({ ratelimits: [{ name: 'export', limit: 10, durationMs: 60_000, autoApply: false }] });
    expect((await verify({ key })).body).toMatchObject({ valid: true, ratelimits: [] });
    expect((await verify({ key, ratelimits: [{ name: 'export', cost: 4 }] })).body).toMatchObject({ valid: true, ratelimits: [{ name: 'export', remaining: 6 }] });
    // A cost above what is left is refused and spends nothing.
    expect((await verify({ key, ratelimits: [{ name: 'export', cost: 7 }] })).body).toMatchObject({ valid: false, code: 'RATE_LIMITED' });
    expect((await verify({ key, ratelimits: [{ name: 'export', cost: 6 }] })).body).toMatchObject({ valid: true, ratelimits: [{ name: 'export', remaining: 0 }] });
  });
});

describe('identity rate limits', () => {
  it("an identity's limit is shared by all its keys, and reaches verify at once", async () => {
    const externalId = `cust-${Math.random().toString(36).slice(2, 8)}`;
    const first = await create({ externalId });
    const second = await create({ externalId });
    expect((await verify({ key: first.key })).body).toMatchObject({ valid: true, ratelimits: [] });
    await team.admin.api.identities.update.mutate({ teamId: team.teamId, externalId, ratelimits: [{ name: 'shared', limit: 3, durationMs: 86_400_000 }] });
    const answers = [];
    for (const key of [first.key, second.key, first.key, second.key]) answers.push((await verify({ key })).body);
    expect(answers.map((x) => x.valid)).toEqual([true, true, true, false]);
    expect(answers[2]).toMatchObject({ ratelimits: [{ name: 'shared', limit: 3, remaining: 0 }] });
    expect(answers[3]).toMatchObject({ code: 'RATE_LIMITED', ratelimits: [{ name: 'shared', remaining: 0 }] });
    const member = await team.addUser('ida');
    expect(await errorCode(member.api.identities.update.mutate({ teamId: team.teamId, externalId, ratelimits: [] }))).toBe('FORBIDDEN');
    expect(await errorCode(team.admin.api.identities.update.mutate({ teamId: team.teamId, externalId, ratelimits: [{ name: 'BAD', limit: 1, durationMs: 1000 }] }))).toBe('BAD_REQUEST');
  });
});

describe('identity rate limits in the identities procedures', () => {
  it('identities.get, identities.list and identities.update answer the identity with its ratelimits, and verify still answers { id, externalId, meta }', async () => {
    const externalId = `cust-${Math.random().toString(36).slice(2, 8)}`;
    const { key } = await create({ externalId });
    const api = team.admin.api;
    expect((await api.identities.get.query({ teamId: team.teamId, externalId })).identity).toMatchObject({ externalId, meta: null, ratelimits: [] });
    const shared = [{ name: 'shared', limit: 5, durationMs: 60_000, autoApply: true }];
    const updated = await api.identities.update.mutate({ teamId: team.teamId, externalId, ratelimits: [{ name: 'shared', limit: 5, durationMs: 60_000 }] });
    expect(updated).toMatchObject({ externalId, ratelimits: shared });
    const { identity } = await api.identities.get.query({ teamId: team.teamId, externalId });
    expect(identity).toEqual({ id: expect.stringMatching(/^idn_/), externalId, meta: null, ratelimits: shared });
    // A change of meta alone keeps the limits, and answers them.
    expect(await api.identities.update.mutate({ teamId: team.teamId, externalId, meta: { tier: 'gold' } })).toEqual({ ...identity, meta: { tier: 'gold' } });
    const listed = (await api.identities.list.query({ teamId: team.teamId, limit: 100 })).items.find((i) => i.externalId === externalId);
    expect(listed).toEqual({ ...identity, meta: { tier: 'gold' } });
    const answer = (await verify({ key })).body as Answer & { identity?: unknown };
    expect(answer.identity).toEqual({ id: identity.id, externalId, meta: { tier: 'gold' } });
  });
});

describe('credits', () => {
  it('count down to USAGE_EXCEEDED; cost 0 checks without spending; a cost above remaining is refused and spends nothing', async () => {
    const { key, row } = await create({ credits: { remaining: 5, refill: null } });
    expect(row.credits).toEqual({ remaining: 5, refill: null });
    expect((await verify({ key })).body).toMatchObject({ valid: true, credits: { remaining: 4 } });
    expect((await verify({ key, cost: 3 })).body).toMatchObject({ valid: true, credits: { remaining: 1 } });
    expect((await verify({ key, cost: 0 })).body).toMatchObject({ valid: true, credits: { remaining: 1 } });
    expect((await verify({ key, cost: 2 })).body).toEqual({ valid: false, code: 'USAGE_EXCEEDED', credits: { remaining: 1 } });
    expect((await verify({ key })).body).toMatchObject({ valid: true, credits: { remaining: 0 } });
    expect((await verify({ key })).body).toEqual({ valid: false, code: 'USAGE_EXCEEDED', credits: { remaining: 0 } });
    const [listed] = (await team.admin.api.keys.list.query({ teamId: team.teamId, view: ['enabled'], search: row.name })).items;
    expect(listed!.credits).toEqual({ remaining: 0, refill: null });
  });

  it('a call refused by its credits spends no rate-limit budget', async () => {
    const { key } = await create({ credits: { remaining: 1 }, ratelimits: [{ name: 'api', limit: 100, durationMs: 86_400_000 }] });
    expect((await verify({ key })).body).toMatchObject({ valid: true, ratelimits: [{ remaining: 99 }], credits: { remaining: 0 } });
    expect((await verify({ key })).body).toMatchObject({ valid: false, code: 'USAGE_EXCEEDED' });
    expect((await verify({ key, cost: 0 })).body).toMatchObject({ valid: true, ratelimits: [{ remaining: 98 }] });
  });

  it('keys.update tops up and changes limits, and verify sees it at once', async () => {
    const { key, row } = await create({ credits: { remaining: 0 } });
    expect((await verify({ key })).body).toMatchObject({ code: 'USAGE_EXCEEDED' });
    const updated = await team.admin.api.keys.update.mutate({ teamId: team.teamId, keyId: row.id, credits: { remaining: 2, refill: { amount: 10, interval: 'monthly', refillDay: 31 } } });
    expect(updated.credits).toEqual({ remaining: 2, refill: { amount: 10, interval: 'monthly', refillDay: 31 } });
    expect((await verify({ key })).body).toMatchObject({ valid: true, credits: { remaining: 1 } });
    await team.admin.api.keys.update.mutate({ teamId: team.teamId, keyId: row.id, credits: null });
    expect((await verify({ key })).body).toMatchObject({ valid: true, credits: null });
  });
});

describe('who may set limits, and bad settings', () => {
  it('refuses invalid configurations with a 400 and changes nothing', async () => {
    const bad: Record<string, unknown>[] = [
      { ratelimits: [{ name: 'Upper', limit: 1, durationMs: 1000 }] },
      { ratelimits: [{ name: 'a'.repeat(33), limit: 1, durationMs: 1000 }] },
      { ratelimits: [{ name: 'ok', limit: 0, durationMs: 1000 }] },
      { ratelimits: [{ name: 'ok', limit: 1, durationMs: 999 }] },
      { ratelimits: [{ name: 'ok', limit: 1, durationMs: 86_400_001 }] },
      { ratelimits: Array.from({ length: 6 }, (_, i) => ({ name: `l${i}`, limit: 1, durationMs: 1000 })) },
      { ratelimits: [{ name: 'dup', limit: 1, durationMs: 1000 }, { name: 'dup', limit: 2, durationMs: 1000 }] },
      { credits: { remaining: -1 } },
      { credits: { remaining: 1, refill: { amount: 5, interval: 'weekly' } } },
      { credits: { remaining: 1, refill: { amount: 5, interval: 'monthly', refillDay: 32 } } },
      { credits: { remaining: 1, refill: { amount: 5, interval: 'daily', refillDay: 3 } } },
    ];
    for (const limits of bad) expect(await errorCode(create(limits))).toBe('BAD_REQUEST');
    const { row } = await create({});
    for (const limits of bad) expect(await errorCode(team.admin.api.keys.update.mutate({ teamId: team.teamId, keyId: row.id, ...limits }))).toBe('BAD_REQUEST');
    const [after] = (await team.admin.api.keys.list.query({ teamId: team.teamId, view: ['enabled'], search: row.name })).items;
    expect(after).toMatchObject({ ratelimits: [], credits: null });
    const { key } = await create({});
    for (const extra of [{ cost: -1 }, { cost: 1001 }, { cost: 1.5 }, { ratelimits: [{ name: 'BAD' }] }]) {
      const answer = await verify({ key, ...extra });
      expect(answer.status).toBe(400);
      expect(answer.body.message).toMatch(/cost|ratelimits/);
    }
  });

  it("refuses to change a revoked key's limits (PRECONDITION_FAILED), as its policy, and leaves them as they were", async () => {
    const { row } = await create({ credits: { remaining: 7 } });
    await team.admin.api.keys.revoke.mutate({ teamId: team.teamId, keyIds: [row.id] });
    expect(await errorCode(team.admin.api.keys.update.mutate({ teamId: team.teamId, keyId: row.id, credits: { remaining: 1_000_000 } }))).toBe('PRECONDITION_FAILED');
    expect(await errorCode(team.admin.api.keys.update.mutate({ teamId: team.teamId, keyId: row.id, ratelimits: [{ name: 'api', limit: 5, durationMs: 1000 }] }))).toBe('PRECONDITION_FAILED');
    const [after] = (await team.admin.api.keys.list.query({ teamId: team.teamId, view: ['revoked'], search: row.name })).items;
    expect(after).toMatchObject({ id: row.id, ratelimits: [], credits: { remaining: 7 } });
  });

  it('records one update of policy and limits as one key.updated naming both, and one event of the feed', async () => {
    const { row } = await create({});
    const { next } = await server.services.keyChanges.read(team.teamId, { waitSeconds: 0 }, new AbortController().signal);
    const updated = await team.admin.api.keys.update.mutate({ teamId: team.teamId, keyId: row.id, meta: { plan: 'pro' }, credits: { remaining: 40 }, ratelimits: [{ name: 'api', limit: 9, durationMs: 60_000 }] });
    expect(updated).toMatchObject({ meta: { plan: 'pro' }, credits: { remaining: 40 }, ratelimits: [{ name: 'api', limit: 9 }] });
    const records = (await auditOf(server, team.teamId, 'key.updated')).filter((r) => r.targets.ids.includes(row.id));
    expect(records).toHaveLength(1);
    expect(records[0]!.details?.changes).toMatchObject({
      meta: { before: null, after: { plan: 'pro' } },
      credits: { before: null, after: { remaining: 40 } },
      ratelimits: { before: [], after: [{ name: 'api', limit: 9, durationMs: 60_000 }] },
    });
    const { events } = await server.services.keyChanges.read(team.teamId, { after: next, waitSeconds: 0 }, new AbortController().signal);
    expect(events.filter((e) => e.keyId === row.id).map((e) => e.kind)).toEqual(['updated']);
  });

  it('lets only admins set them; members see them on their own keys, and another team\'s key is NOT_FOUND', async () => {
    const member = await team.addUser('mia');
    expect(await errorCode(member.api.keys.create.mutate({ teamId: team.teamId, name: 'mine', credits: { remaining: 5 } }))).toBe('FORBIDDEN');
    const { row } = await member.api.keys.create.mutate({ teamId: team.teamId, name: 'mine' });
    expect(await errorCode(member.api.keys.update.mutate({ teamId: team.teamId, keyId: row.id, credits: { remaining: 5 } }))).toBe('FORBIDDEN');
    await team.admin.api.keys.update.mutate({ teamId: team.teamId, keyId: row.id, credits: { remaining: 5 }, ratelimits: [{ name: 'api', limit: 5, durationMs: 1000 }] });
    const mine = await member.api.keys.mine.query({ teamId: team.teamId });
    expect(mine.items.find((k) => k.id === row.id)).toMatchObject({ credits: { remaining: 5 }, ratelimits: [{ name: 'api' }] });
    const other = await createTeam(server, 'Other');
    expect(await errorCode(other.admin.api.keys.update.mutate({ teamId: other.teamId, keyId: row.id, credits: { remaining: 9 } }))).toBe('NOT_FOUND');
  });
});
