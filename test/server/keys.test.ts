import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseKey } from '../../shared/key-format';
import { auditOf, expireKey, setTeamSettings } from '../helpers/fixtures';
import { createTeam, errorCode, startTestServer, type TestServer } from '../helpers/harness';

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer({ label: 'keys' });
});
afterAll(() => server.close());

const DAY = 86_400_000;

describe('issuing keys', () => {
  it('returns the plaintext once, in the format, with a public id and a hint', async () => {
    const team = await createTeam(server);
    const { key, row } = await team.admin.api.keys.create.mutate({ teamId: team.teamId, name: 'CI' });
    expect(parseKey(key).ok).toBe(true);
    expect(row).toMatchObject({ name: 'CI', status: 'enabled', hint: `${key.slice(0, 7)}…${key.slice(-4)}`, expiresAt: null, lastUsedAt: null });
    expect(row.id).toMatch(/^key_/);
    expect(row.generatedBy).toMatchObject({ userId: team.admin.userId, email: team.admin.email, role: 'super_admin' });
    const mine = await team.admin.api.keys.mine.query({ teamId: team.teamId });
    expect(JSON.stringify(mine)).not.toContain(key);
  });

  it('stores no plaintext key, nor any piece of one longer than the hint, anywhere', async () => {
    const team = await createTeam(server);
    const keys: string[] = [];
    for (let i = 0; i < 5; i++) keys.push((await team.admin.api.keys.create.mutate({ teamId: team.teamId, name: `k${i}` })).key);
    // About storage itself: every collection, as stored.
    const db = server.storage.database.db;
    let dump = '';
    for (const { name } of await db.listCollections().toArray()) {
      dump += JSON.stringify(await db.collection(name).find({}).toArray());
    }
    for (const key of keys) {
      // The hint shows 7 leading and 4 trailing characters; no 8-character window may appear.
      for (let i = 0; i + 8 <= key.length; i++) expect(dump).not.toContain(key.slice(i, i + 8));
    }
  });

  it('caps expiry by the team policy and applies it when none is given', async () => {
    const team = await createTeam(server);
    await setTeamSettings(server, team, { maxLifetimeDays: 30 });
    const { row } = await team.admin.api.keys.create.mutate({ teamId: team.teamId, name: 'default' });
    expect(Math.round((row.expiresAt!.getTime() - row.createdAt.getTime()) / DAY)).toBe(30);
    const shorter = await team.admin.api.keys.create.mutate({ teamId: team.teamId, name: 'short', expiresInDays: 7 });
    expect(Math.round((shorter.row.expiresAt!.getTime() - shorter.row.createdAt.getTime()) / DAY)).toBe(7);
    const err = await team.admin.api.keys.create.mutate({ teamId: team.teamId, name: 'long', expiresInDays: 90 }).catch((e) => e);
    expect(err.data.code).toBe('BAD_REQUEST');
    expect(err.message).toMatch(/at most 30 days/);
  });

  it('validates the expiry input', async () => {
    const team = await createTeam(server);
    const create = (input: Record<string, unknown>) => team.admin.api.keys.create.mutate({ teamId: team.teamId, name: 'x', ...input } as never);
    expect(await errorCode(create({ expiresInDays: 1.5 }))).toBe('BAD_REQUEST');
    expect(await errorCode(create({ expiresInDays: 0 }))).toBe('BAD_REQUEST');
    expect(await errorCode(create({ expiresInDays: 3, expiresAt: new Date(Date.now() + DAY) }))).toBe('BAD_REQUEST');
    expect(await errorCode(create({ expiresAt: new Date(Date.now() - DAY) }))).toBe('BAD_REQUEST');
    expect(await errorCode(create({ name: '' }))).toBe('BAD_REQUEST');
    const exact = new Date(Date.now() + 2 * DAY);
    expect((await create({ expiresAt: exact })).row.expiresAt).toEqual(exact);
    expect((await team.admin.api.keys.list.query({ teamId: team.teamId, view: ['enabled', 'disabled', 'revoked'] })).counts).toEqual({ enabled: 1, disabled: 0, revoked: 0 });
  });

  it('lets members create keys only while the team allows it', async () => {
    const team = await createTeam(server);
    const member = await team.addUser('member');
    await member.api.keys.create.mutate({ teamId: team.teamId, name: 'mine' });
    await setTeamSettings(server, team, { allowMemberKeyGeneration: false });
    expect(await errorCode(member.api.keys.create.mutate({ teamId: team.teamId, name: 'nope' }))).toBe('FORBIDDEN');
    await team.admin.api.keys.create.mutate({ teamId: team.teamId, name: 'admins always may' });
  });
});

describe('tenancy', () => {
  it('treats another team, and its keys, exactly like ones that do not exist', async () => {
    const a = await createTeam(server, 'A');
    const b = await createTeam(server, 'B');
    const { key, row } = await b.admin.api.keys.create.mutate({ teamId: b.teamId, name: 'b-key' });
    expect(await errorCode(a.admin.api.keys.mine.query({ teamId: b.teamId }))).toBe('NOT_FOUND');
    expect(await errorCode(a.admin.api.keys.mine.query({ teamId: 'team_doesnotexist' }))).toBe('NOT_FOUND');
    expect(await errorCode(a.admin.api.keys.revokeOwn.mutate({ teamId: a.teamId, keyId: row.id }))).toBe('NOT_FOUND');
    expect(await errorCode(a.admin.api.keys.revokeOwn.mutate({ teamId: a.teamId, keyId: 'key_doesnotexist' }))).toBe('NOT_FOUND');
    expect(await a.admin.api.keys.lookup.query({ teamId: a.teamId, key })).toBeNull();
    expect((await b.admin.api.keys.lookup.query({ teamId: b.teamId, key }))?.id).toBe(row.id);
  });

  it('shows a member only their own keys by value', async () => {
    const team = await createTeam(server);
    const member = await team.addUser('member');
    const admins = await team.admin.api.keys.create.mutate({ teamId: team.teamId, name: 'admin key' });
    const own = await member.api.keys.create.mutate({ teamId: team.teamId, name: 'own key' });
    expect(await member.api.keys.lookup.query({ teamId: team.teamId, key: admins.key })).toBeNull();
    expect((await member.api.keys.lookup.query({ teamId: team.teamId, key: own.key }))?.id).toBe(own.row.id);
    expect((await team.admin.api.keys.lookup.query({ teamId: team.teamId, key: own.key }))?.id).toBe(own.row.id);
  });

  it('does not let a member revoke a teammate\'s key', async () => {
    const team = await createTeam(server);
    const member = await team.addUser('member');
    const { row } = await team.admin.api.keys.create.mutate({ teamId: team.teamId, name: 'admin key' });
    expect(await errorCode(member.api.keys.revokeOwn.mutate({ teamId: team.teamId, keyId: row.id }))).toBe('NOT_FOUND');
  });
});

describe('a member\'s own keys', () => {
  it('lists newest first with a cursor', async () => {
    const team = await createTeam(server);
    const member = await team.addUser('member');
    for (let i = 0; i < 5; i++) await member.api.keys.create.mutate({ teamId: team.teamId, name: `k${i}` });
    await team.admin.api.keys.create.mutate({ teamId: team.teamId, name: 'not theirs' });
    const first = await member.api.keys.mine.query({ teamId: team.teamId, limit: 3 });
    const second = await member.api.keys.mine.query({ teamId: team.teamId, limit: 3, cursor: first.nextCursor! });
    expect([...first.items, ...second.items].map((k) => k.name)).toEqual(['k4', 'k3', 'k2', 'k1', 'k0']);
    expect(second.nextCursor).toBeNull();
    expect(await errorCode(member.api.keys.mine.query({ teamId: team.teamId, cursor: 'garbage' }))).toBe('BAD_REQUEST');
  });

  it('revokes its own key once; a second revoke changes nothing', async () => {
    const team = await createTeam(server);
    const member = await team.addUser('member');
    const { row } = await member.api.keys.create.mutate({ teamId: team.teamId, name: 'leaked' });
    const first = await member.api.keys.revokeOwn.mutate({ teamId: team.teamId, keyId: row.id });
    expect(first).toMatchObject({ revoked: [row.id], alreadyRevoked: [], notFound: [] });
    expect(first.row).toMatchObject({ status: 'revoked', revokedReason: 'manual' });
    const second = await member.api.keys.revokeOwn.mutate({ teamId: team.teamId, keyId: row.id });
    expect(second).toMatchObject({ revoked: [], alreadyRevoked: [row.id], notFound: [] });
    expect(second.row.revokedAt).toEqual(first.row.revokedAt);
    expect(await auditOf(server, team.teamId, 'key.revoked')).toHaveLength(1);
  });

  it('shows an expired key as revoked (expired) the moment it expires', async () => {
    const team = await createTeam(server);
    const { row } = await team.admin.api.keys.create.mutate({ teamId: team.teamId, name: 'short-lived', expiresInDays: 1 });
    await expireKey(server, row.id);
    const mine = await team.admin.api.keys.mine.query({ teamId: team.teamId });
    expect(mine.items[0]).toMatchObject({ id: row.id, status: 'revoked', revokedReason: 'expired' });
  });
});
