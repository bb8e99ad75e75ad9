import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { IndexDescription } from 'mongodb';
import type { KeySort, KeyStatus } from '../../shared/schemas/key';
import { INDEXES } from '../../server/db/indexes';
import { keyListQuery, keyScopeFilter, type KeyListSpec } from '../../server/db/key-list-query';
import { createTeam, errorCode, startTestServer, type TestServer, type TestUser, trpcClient } from '../helpers/harness';
import { keyRowOf } from '../helpers/fixtures';
import { seedKey } from '../helpers/keys';

/** Who may call the admin API (roles, other teams), and that every list query has an index. */
let server: TestServer;
let teamId: string;
let member: TestUser;
let outsider: TestUser;
let keyId: string;
let keyValue: string;

beforeAll(async () => {
  server = await startTestServer({ label: 'admin-access' });
  const team = await createTeam(server);
  teamId = team.teamId;
  member = await team.addUser('member');
  outsider = (await createTeam(server, 'Other')).admin;
  const key = await seedKey(server, { teamId, ownerId: member.userId });
  keyId = key.id;
  keyValue = key.value;
});
afterAll(() => server.close());

const adminCalls = (u: TestUser) => ({
  'keys.list': () => u.api.keys.list.query({ teamId, view: ['enabled'] }),
  'keys.findByValue': () => u.api.keys.findByValue.query({ teamId, key: keyValue }),
  'keys.revoke': () => u.api.keys.revoke.mutate({ teamId, keyIds: [keyId] }),
  'keys.revokeAll': () => u.api.keys.revokeAll.mutate({ teamId, confirm: 'REVOKE ALL' }),
  'keys.disable': () => u.api.keys.disable.mutate({ teamId, keyIds: [keyId] }),
  'keys.enable': () => u.api.keys.enable.mutate({ teamId, keyIds: [keyId] }),
  'settings.update': () => u.api.settings.update.mutate({ teamId, maxLifetimeDays: 1 }),
  'settings.previewExpiryPolicy': () => u.api.settings.previewExpiryPolicy.query({ teamId, maxLifetimeDays: 1 }),
  'members.list': () => u.api.members.list.query({ teamId }),
  'members.add': () => u.api.members.add.mutate({ teamId, email: 'x@example.test', role: 'member' }),
  'members.setRole': () => u.api.members.setRole.mutate({ teamId, userId: u.userId, role: 'admin' }),
  'members.remove': () => u.api.members.remove.mutate({ teamId, userId: u.userId }),
  'audit.list': () => u.api.audit.list.query({ teamId }),
});

describe('access', () => {
  it('gives a member FORBIDDEN on every admin procedure, and changes nothing', async () => {
    for (const [name, call] of Object.entries(adminCalls(member))) {
      expect([name, await errorCode(call())]).toEqual([name, 'FORBIDDEN']);
    }
    expect(await member.api.settings.get.query({ teamId })).toMatchObject({ maxLifetimeDays: null });
    expect((await keyRowOf(server, teamId, keyId))!.status).toBe('enabled');
  });

  it('gives another team\'s admin NOT_FOUND on every procedure, settings.get included', async () => {
    const calls = { ...adminCalls(outsider), 'settings.get': () => outsider.api.settings.get.query({ teamId }) };
    for (const [name, call] of Object.entries(calls)) {
      expect([name, await errorCode(call())]).toEqual([name, 'NOT_FOUND']);
    }
    expect((await keyRowOf(server, teamId, keyId))!.status).toBe('enabled');
  });

  it('gives an anonymous caller UNAUTHORIZED', async () => {
    const anon = trpcClient(server.url, null);
    expect(await errorCode(anon.keys.list.query({ teamId, view: ['enabled'] }))).toBe('UNAUTHORIZED');
    expect(await errorCode(anon.settings.get.query({ teamId }))).toBe('UNAUTHORIZED');
  });
});

/** True when `index` serves equality on `eq` then the sort (forwards or backwards), per MongoDB's rule. */
function serves(index: IndexDescription, eq: string[], sort: Record<string, number>): boolean {
  const key = Object.entries(index.key as Record<string, number>);
  if (key.length < eq.length + Object.keys(sort).length) return false;
  if (!eq.every((f, i) => key[i]![0] === f)) return false;
  const wanted = Object.entries(sort);
  const rest = key.slice(eq.length, eq.length + wanted.length);
  const same = rest.every(([f, d], i) => f === wanted[i]![0] && d === wanted[i]![1]);
  const reversed = rest.every(([f, d], i) => f === wanted[i]![0] && d === -wanted[i]![1]);
  return same || reversed;
}
/** Top-level fields matched by value (`$in` included); a range (a cursor's bound on the sort field) is not one. */
const RANGE = ['$lt', '$lte', '$gt', '$gte', '$not'];
const eqFields = (filter: object) =>
  Object.entries(filter)
    .filter(([f, v]) => !f.startsWith('$') && !(v && typeof v === 'object' && Object.keys(v).some((op) => RANGE.includes(op))))
    .map(([f]) => f);

describe('index coverage', () => {
  const now = new Date();
  const sorts: KeySort[] = ['newest', 'oldest', 'recently_used'];
  const views: KeyStatus[][] = [['enabled'], ['disabled', 'revoked'], ['enabled', 'disabled', 'revoked']];
  const cases: KeyListSpec[] = [];
  for (const sort of sorts)
    for (const view of views)
      for (const ownerIds of [undefined, ['usr_a', 'usr_b']])
        for (const search of [undefined, { text: 'deploy' }])
          for (const after of [null, { createdAt: now, lastUsedAt: null, id: 'key_x' }, { createdAt: now, lastUsedAt: now, id: 'key_x' }])
            cases.push({ teamId: 'team_t', sort, view, ownerIds, search, after });

  it.each(cases.map((c) => [`${c.sort} view=${c.view} owners=${!!c.ownerIds} search=${!!c.search} after=${!!c.after}`, c] as const))(
    'covers the list query %s with a declared index',
    (_name, spec) => {
      const { filter, sort } = keyListQuery(spec, now);
      const eq = eqFields(filter);
      expect(eq).toEqual(spec.ownerIds ? ['teamId', 'ownerId'] : ['teamId']);
      expect(INDEXES.keys.some((i) => serves(i, eq, sort as Record<string, number>))).toBe(true);
    },
  );

  it('serves a search by full key value from the _id index', () => {
    const { filter } = keyListQuery({ teamId: 'team_t', sort: 'newest', search: { hash: 'abc' } }, now);
    expect(filter).toMatchObject({ _id: 'abc', teamId: 'team_t' });
  });

  it('covers the counts, the audit log and the member list', () => {
    for (const ownerIds of [undefined, ['usr_a']]) {
      for (const search of [undefined, { text: 'deploy' }]) {
        const filter = keyScopeFilter({ teamId: 'team_t', ownerIds, search });
        expect(eqFields(filter)).toEqual(ownerIds ? ['teamId', 'ownerId'] : ['teamId']);
        expect(INDEXES.keys.some((i) => serves(i, eqFields(filter), {}))).toBe(true);
      }
    }
    // The whole team's counts read only status and expiry: an index holding both answers them alone.
    expect(INDEXES.keys.some((i) => serves(i, ['teamId'], {}) && ['status', 'expiresAt'].every((f) => f in (i.key as object)))).toBe(true);
    expect(INDEXES.audit.some((i) => serves(i, ['teamId'], { at: -1, _id: -1 }))).toBe(true);
    expect(INDEXES.memberships.some((i) => serves(i, ['teamId'], {}))).toBe(true);
  });
});
