import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { KeyRow, KeySort, KeyStatus } from '../../shared/schemas/key';
import { createTeam, errorCode, startTestServer, type TestServer, type TestUser } from '../helpers/harness';
import { DAY, HOUR, seedKey } from '../helpers/keys';

/** The admin key list: views, counts, search, generated-by filter, sorts and keyset pagination. */
let server: TestServer;
let teamId: string;
let admin: TestUser;
let alice: TestUser;
let bob: TestUser;
let carol: TestUser;
let otherTeamKey: { id: string; value: string };
const seeded: Record<string, { id: string; value: string; createdAt: Date; lastUsedAt: Date | null; ownerId: string; effective: KeyStatus }> = {};

const T = new Date(Date.now() - 10 * DAY);
const at = (hours: number) => new Date(T.getTime() + hours * HOUR);
const ALL: KeyStatus[] = ['enabled', 'disabled', 'revoked'];

beforeAll(async () => {
  server = await startTestServer({ label: 'admin-keys' });
  const team = await createTeam(server, 'Acme');
  teamId = team.teamId;
  admin = team.admin;
  alice = await team.addUser('alice');
  bob = await team.addUser('bob');
  carol = await team.addUser('carol', 'admin');
  const specs = [
    { label: 'k1', owner: alice, name: 'Deploy Bot', status: 'enabled', createdAt: at(1), lastUsedAt: at(5), effective: 'enabled' },
    { label: 'k2', owner: alice, name: 'Staging', status: 'disabled', createdAt: at(2), lastUsedAt: null, effective: 'disabled' },
    { label: 'k3', owner: bob, name: 'Old script', status: 'revoked', createdAt: at(3), lastUsedAt: at(4), effective: 'revoked' },
    { label: 'k4', owner: bob, name: 'Trial [x]', status: 'enabled', createdAt: at(3), lastUsedAt: at(4), effective: 'revoked', expiresAt: new Date(Date.now() - HOUR) },
    { label: 'k5', owner: carol, name: 'CI (prod)', status: 'enabled', createdAt: at(4), lastUsedAt: null, effective: 'enabled' },
    { label: 'k6', owner: alice, name: 'metrics.exporter', status: 'enabled', createdAt: at(4), lastUsedAt: null, effective: 'enabled' },
  ] as const;
  for (const s of specs) {
    const k = await seedKey(server, { teamId, ownerId: s.owner.userId, name: s.name, status: s.status, createdAt: s.createdAt, lastUsedAt: s.lastUsedAt, expiresAt: 'expiresAt' in s ? s.expiresAt : null });
    seeded[s.label] = { id: k.id, value: k.value, createdAt: s.createdAt, lastUsedAt: s.lastUsedAt, ownerId: s.owner.userId, effective: s.effective };
  }
  const other = await createTeam(server, 'Other');
  otherTeamKey = await seedKey(server, { teamId: other.teamId, ownerId: other.admin.userId, name: 'Deploy Bot' });
});
afterAll(() => server.close());

const list = (input: { view?: KeyStatus[]; search?: string; generatedBy?: string[]; sort?: KeySort; cursor?: string; limit?: number }) =>
  admin.api.keys.list.query({ teamId, view: ALL, ...input });
const ids = (rows: KeyRow[]) => rows.map((r) => r.id).sort();
const idsOf = (...labels: string[]) => labels.map((l) => seeded[l]!.id).sort();

describe('keys.list views and counts', () => {
  const subsets = [1, 2, 3, 4, 5, 6, 7].map((mask) => ALL.filter((_, i) => mask & (1 << i)));

  it.each(subsets.map((s) => [s.join('+'), s] as const))('shows exactly the %s keys and counts every status', async (_name, view) => {
    const res = await list({ view });
    const expected = Object.values(seeded).filter((k) => view.includes(k.effective)).map((k) => k.id).sort();
    expect(ids(res.items)).toEqual(expected);
    expect(res.items.every((r) => view.includes(r.status))).toBe(true);
    expect(res.counts).toEqual({ enabled: 3, disabled: 1, revoked: 2 });
  });

  it('shows an expired key as revoked with reason expired, and every KeyRow field', async () => {
    const { items } = await list({ view: ['revoked'] });
    const expired = items.find((r) => r.id === seeded.k4!.id)!;
    expect(expired).toMatchObject({ status: 'revoked', revokedReason: 'expired', name: 'Trial [x]', generatedBy: { userId: bob.userId, email: bob.email, role: 'member' } });
    expect(expired.hint).toMatch(/^kw_\w{4}…\w{4}$/);
    expect(JSON.stringify(items)).not.toContain(seeded.k4!.value);
  });

  it('rejects an empty view', async () => {
    expect(await errorCode(list({ view: [] }))).toBe('BAD_REQUEST');
  });
});

describe('keys.list search and filters', () => {
  it('finds exactly one key by its full value, and nothing by another team\'s key', async () => {
    const hit = await list({ search: seeded.k1!.value });
    expect(ids(hit.items)).toEqual(idsOf('k1'));
    expect(hit.counts).toEqual({ enabled: 1, disabled: 0, revoked: 0 });
    const miss = await list({ search: otherTeamKey.value });
    expect(miss.items).toEqual([]);
    expect(miss.counts).toEqual({ enabled: 0, disabled: 0, revoked: 0 });
  });

  it('keys.findByValue returns the row, or null for another team\'s key and junk', async () => {
    expect((await admin.api.keys.findByValue.query({ teamId, key: seeded.k3!.value }))?.id).toBe(seeded.k3!.id);
    expect(await admin.api.keys.findByValue.query({ teamId, key: otherTeamKey.value })).toBeNull();
    expect(await admin.api.keys.findByValue.query({ teamId, key: 'kw_nope' })).toBeNull();
  });

  it('matches text against name (case-insensitive) and hint, treating regex characters literally', async () => {
    expect(ids((await list({ search: 'DEPLOY' })).items)).toEqual(idsOf('k1'));
    expect(ids((await list({ search: '[x]' })).items)).toEqual(idsOf('k4'));
    expect(ids((await list({ search: '.' })).items)).toEqual(idsOf('k6'));
    expect(ids((await list({ search: '(prod' })).items)).toEqual(idsOf('k5'));
    const hintPart = seeded.k2!.value.slice(3, 7).toLowerCase();
    expect(ids((await list({ search: `kw_${hintPart}` })).items)).toContain(seeded.k2!.id);
    expect((await list({ search: 'alpha' })).counts).toEqual({ enabled: 0, disabled: 0, revoked: 0 });
  });

  it('filters by several users, and counts respect the filter but not the view', async () => {
    const res = await list({ generatedBy: [alice.userId, carol.userId], view: ['disabled'] });
    expect(ids(res.items)).toEqual(idsOf('k2'));
    expect(res.counts).toEqual({ enabled: 3, disabled: 1, revoked: 0 });
    expect(ids((await list({ generatedBy: [bob.userId] })).items)).toEqual(idsOf('k3', 'k4'));
  });
});

describe('keys.list sorting', () => {
  const byId = (a: string, b: string) => (a < b ? 1 : a > b ? -1 : 0);
  const order = (cmp: (a: (typeof seeded)[string], b: (typeof seeded)[string]) => number) => Object.values(seeded).sort(cmp).map((k) => k.id);
  const expected: Record<KeySort, () => string[]> = {
    newest: () => order((a, b) => b.createdAt.getTime() - a.createdAt.getTime() || byId(a.id, b.id)),
    oldest: () => order((a, b) => a.createdAt.getTime() - b.createdAt.getTime() || -byId(a.id, b.id)),
    recently_used: () =>
      order((a, b) => {
        if (a.lastUsedAt && b.lastUsedAt) return b.lastUsedAt.getTime() - a.lastUsedAt.getTime() || byId(a.id, b.id);
        if (a.lastUsedAt || b.lastUsedAt) return a.lastUsedAt ? -1 : 1;
        return byId(a.id, b.id);
      }),
  };

  it.each(['newest', 'oldest', 'recently_used'] as const)('sorts %s with ties broken by id, one row per page too', async (sort) => {
    expect((await list({ sort })).items.map((r) => r.id)).toEqual(expected[sort]());
    const paged: string[] = [];
    let cursor: string | undefined;
    do {
      const page = await list({ sort, limit: 1, cursor });
      paged.push(...page.items.map((r) => r.id));
      cursor = page.nextCursor ?? undefined;
    } while (cursor);
    expect(paged).toEqual(expected[sort]());
  });

  it('puts never-used keys last under recently_used', async () => {
    const rows = (await list({ sort: 'recently_used' })).items;
    expect(rows.slice(-3).every((r) => r.lastUsedAt === null)).toBe(true);
  });

  it('refuses a cursor from another sort or a forged one', async () => {
    const { nextCursor } = await list({ sort: 'newest', limit: 2 });
    expect(await errorCode(list({ sort: 'oldest', cursor: nextCursor! }))).toBe('BAD_REQUEST');
    expect(await errorCode(list({ cursor: 'not-a-cursor' }))).toBe('BAD_REQUEST');
  });
});

describe('keys.list pagination', () => {
  it.each(['newest', 'oldest', 'recently_used'] as const)('returns each of 250 keys exactly once (%s) while keys are inserted between pages', async (sort) => {
    const team = await createTeam(server, `Paging ${sort}`);
    const owner = await team.addUser('owner');
    const base = Date.now() - 30 * DAY;
    const original = new Set<string>();
    for (let i = 0; i < 250; i += 25) {
      const batch = await Promise.all(
        Array.from({ length: 25 }, (_, j) =>
          seedKey(server, {
            teamId: team.teamId,
            ownerId: (i + j) % 2 ? owner.userId : team.admin.userId,
            // Runs of three keys share a timestamp, and every third key was never used.
            createdAt: new Date(base + Math.floor((i + j) / 3) * 1000),
            lastUsedAt: (i + j) % 3 === 0 ? null : new Date(base + DAY + Math.floor((i + j) / 4) * 1000),
          }),
        ),
      );
      batch.forEach((k) => original.add(k.id));
    }
    const seen: string[] = [];
    let cursor: string | undefined;
    let pages = 0;
    do {
      const page = await team.admin.api.keys.list.query({ teamId: team.teamId, view: ALL, sort, limit: 37, cursor });
      seen.push(...page.items.map((r) => r.id));
      cursor = page.nextCursor ?? undefined;
      pages++;
      await seedKey(server, { teamId: team.teamId, ownerId: owner.userId });
      await seedKey(server, { teamId: team.teamId, ownerId: owner.userId, createdAt: new Date(base - DAY), lastUsedAt: new Date() });
    } while (cursor);
    expect(new Set(seen).size).toBe(seen.length);
    expect([...original].filter((id) => !seen.includes(id))).toEqual([]);
    expect(pages).toBeGreaterThanOrEqual(7);
  });
});
