import type { CommandStartedEvent } from 'mongodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { KeyStatus } from '../../shared/schemas/key';
import { effectiveStatusFilter, keyScopeFilter, type KeyCountScope } from '../../server/db/key-list-query';
import { createTeam, errorCode, startTestServer, trpcClient, type TestServer, type TestUser } from '../helpers/harness';
import { DAY, HOUR, seedKey } from '../helpers/keys';

/**
 * Effective-status counts are computed once per team state and reused: by
 * every page, sort and view of the dashboard and by the popup's `keys.counts`.
 * Every way a count can change must show on the next call: key creation, each
 * state change (on this server and on another one), and time (expiry).
 */
let server: TestServer;
let teamId: string;
let admin: TestUser;
let member: TestUser;
const ALL: KeyStatus[] = ['enabled', 'disabled', 'revoked'];

/**
 * How many times the keys of the team are read while `run` runs: a query with
 * no `_id` reads them all, one over a half of the `_id` range (the repo reads
 * big sets in two halves side by side) half of them, an `_id` look-up none.
 */
async function keyReads(run: () => Promise<unknown>): Promise<number> {
  let reads = 0;
  const listener = (e: CommandStartedEvent) => {
    const filter = e.commandName === 'find' ? e.command.filter : e.commandName === 'aggregate' ? e.command.pipeline?.[0]?.$match : undefined;
    // Reads of one team's keys only: verify's membership set reads new keys of every team beside the test, once a second.
    if ((e.command.find ?? e.command.aggregate) !== 'keys' || !filter || !('teamId' in filter)) return;
    const id = filter._id;
    if (id === undefined) reads += 1;
    else if (typeof id === 'object' && id !== null && !('$in' in id)) reads += 0.5;
  };
  server.storage.database.client.on('commandStarted', listener);
  try {
    await run();
  } finally {
    server.storage.database.client.off('commandStarted', listener);
  }
  return reads;
}

const counts = () => admin.api.keys.counts.query({ teamId });
const list = (input: { view?: KeyStatus[]; sort?: 'newest' | 'oldest' | 'recently_used'; cursor?: string; search?: string; generatedBy?: string[]; limit?: number } = {}) =>
  admin.api.keys.list.query({ teamId, view: ALL, limit: 2, ...input });

beforeAll(async () => {
  server = await startTestServer({ label: 'key-counts', monitorCommands: true });
  const team = await createTeam(server);
  teamId = team.teamId;
  admin = team.admin;
  member = await team.addUser('member');
  const now = Date.now();
  for (const s of ['enabled', 'enabled', 'enabled', 'disabled', 'revoked'] as const) await seedKey(server, { teamId, ownerId: member.userId, status: s });
  await seedKey(server, { teamId, ownerId: member.userId, expiresAt: new Date(now - HOUR) });
  await seedKey(server, { teamId, ownerId: admin.userId, name: 'far future', expiresAt: new Date(now + 30 * DAY) });
  const other = await createTeam(server, 'Other');
  await seedKey(server, { teamId: other.teamId, ownerId: other.admin.userId });
});
afterAll(() => server.close());

describe('keys.counts', () => {
  it('gives the team effective counts (an expired key counts as revoked)', async () => {
    expect(await counts()).toEqual({ enabled: 4, disabled: 1, revoked: 2 });
  });

  it('is for admins of the team only', async () => {
    expect(await errorCode(member.api.keys.counts.query({ teamId }))).toBe('FORBIDDEN');
    const outsider = (await createTeam(server, 'Outsiders')).admin;
    expect(await errorCode(outsider.api.keys.counts.query({ teamId }))).toBe('NOT_FOUND');
    expect(await errorCode(trpcClient(server.url, null).keys.counts.query({ teamId }))).toBe('UNAUTHORIZED');
  });

  it('reads no key once the team is counted, and agrees with the list', async () => {
    const first = await counts();
    expect(await keyReads(() => counts())).toBe(0);
    expect((await list()).counts).toEqual(first);
  });
});

describe('counts reuse in keys.list', () => {
  it('reads the keys once per page, sort and view while the team does not change', async () => {
    await counts();
    const page1 = await list();
    expect(await keyReads(() => list({ cursor: page1.nextCursor! }))).toBe(1);
    expect(await keyReads(() => list({ sort: 'recently_used' }))).toBe(1);
    expect(await keyReads(() => list({ view: ['disabled'] }))).toBe(1);
  });

  it('counts a new search or filter in the same read as its first page', async () => {
    let res: Awaited<ReturnType<typeof list>> | undefined;
    expect(await keyReads(async () => void (res = await list({ search: 'far future', limit: 10 })))).toBe(1);
    expect(res!.counts).toEqual({ enabled: 1, disabled: 0, revoked: 0 });
    expect(await keyReads(async () => void (res = await list({ search: 'key', limit: 2 })))).toBe(1);
    expect(res!.counts).toEqual({ enabled: 3, disabled: 1, revoked: 2 });
    expect(res!.items).toHaveLength(2);
    expect(await keyReads(async () => void (res = await list({ search: 'key', limit: 2, cursor: res!.nextCursor! })))).toBe(1);
    expect(res!.counts).toEqual({ enabled: 3, disabled: 1, revoked: 2 });
  });

  it('counts a filter once, then reuses it', async () => {
    expect(await keyReads(() => list({ generatedBy: [admin.userId] }))).toBe(1);
    expect(await keyReads(() => list({ generatedBy: [admin.userId], sort: 'oldest' }))).toBe(1);
    expect((await list({ generatedBy: [admin.userId] })).counts).toEqual({ enabled: 1, disabled: 0, revoked: 0 });
  });

  it('reads twice only for a later page or a narrowed view whose counts are not known', async () => {
    expect(await keyReads(() => list({ generatedBy: [member.userId], view: ['enabled'] }))).toBe(2);
    expect(await keyReads(() => list({ generatedBy: [member.userId], view: ['disabled'] }))).toBe(1);
  });

  it('returns the same first page whether or not the counts were known', async () => {
    for (const input of [{ limit: 3 }, { limit: 3, sort: 'recently_used' as const }, { limit: 50, generatedBy: [member.userId] }]) {
      await server.storage.repos.revisions.bump('keys');
      const fresh = await list(input);
      const reused = await list(input);
      expect(fresh).toEqual(reused);
    }
  });

  it('matches one countDocuments per status for every scope', async () => {
    const now = new Date();
    const scopes: KeyCountScope[] = [{ teamId }, { teamId, ownerIds: [member.userId] }, { teamId, search: { text: 'KEY' } }, { teamId, ownerIds: [admin.userId], search: { text: 'far' } }];
    for (const scope of scopes) {
      const expected = Object.fromEntries(
        await Promise.all(ALL.map(async (s) => [s, await server.storage.cols.keys.countDocuments({ $and: [keyScopeFilter(scope), effectiveStatusFilter(s, now)] })] as const)),
      );
      const got = await admin.api.keys.list.query({ teamId, view: ['enabled'], generatedBy: scope.ownerIds, search: scope.search && 'text' in scope.search ? scope.search.text : undefined });
      expect([scope, got.counts]).toEqual([scope, expected]);
    }
  });
});

describe('what changes the counts', () => {
  it('shows a key created through the API on the next call', async () => {
    const before = await counts();
    await member.api.keys.create.mutate({ teamId, name: 'brand new' });
    expect(await counts()).toEqual({ ...before, enabled: before.enabled + 1 });
  });

  it('shows a revoke, a disable and an enable on the next call, on this server and on another', async () => {
    const other = await startTestServer({ label: 'key-counts-2', dbName: server.dbName });
    try {
      const otherAdmin = other.client(admin.token);
      const key = (await member.api.keys.create.mutate({ teamId, name: 'to and fro' })).row;
      const start = await counts();
      expect(await otherAdmin.keys.counts.query({ teamId })).toEqual(start);

      await admin.api.keys.disable.mutate({ teamId, keyIds: [key.id] });
      const disabled = { ...start, enabled: start.enabled - 1, disabled: start.disabled + 1 };
      expect(await counts()).toEqual(disabled);
      expect(await otherAdmin.keys.counts.query({ teamId })).toEqual(disabled);

      await otherAdmin.keys.enable.mutate({ teamId, keyIds: [key.id] });
      expect(await counts()).toEqual(start);

      await admin.api.keys.revoke.mutate({ teamId, keyIds: [key.id] });
      const revoked = { ...start, enabled: start.enabled - 1, revoked: start.revoked + 1 };
      expect(await otherAdmin.keys.counts.query({ teamId })).toEqual(revoked);
      expect((await list()).counts).toEqual(revoked);
    } finally {
      await other.stop();
    }
  });

  it('moves a key to revoked at its expiry instant, with nothing written', async () => {
    const team = await createTeam(server, 'Clockwork');
    const t0 = Date.now();
    await seedKey(server, { teamId: team.teamId, ownerId: team.admin.userId, expiresAt: new Date(t0 + 30_000) });
    await seedKey(server, { teamId: team.teamId, ownerId: team.admin.userId, expiresAt: new Date(t0 + 40_000) });
    const realNow = server.deps.now;
    try {
      server.deps.now = () => new Date(t0);
      expect(await team.admin.api.keys.counts.query({ teamId: team.teamId })).toEqual({ enabled: 2, disabled: 0, revoked: 0 });
      // Inside the cache's age limit, past the first expiry: only the expiry can tell the counts are old.
      server.deps.now = () => new Date(t0 + 30_000);
      expect(await team.admin.api.keys.counts.query({ teamId: team.teamId })).toEqual({ enabled: 1, disabled: 0, revoked: 1 });
      server.deps.now = () => new Date(t0 + 39_999);
      expect(await team.admin.api.keys.counts.query({ teamId: team.teamId })).toEqual({ enabled: 1, disabled: 0, revoked: 1 });
      server.deps.now = () => new Date(t0 + 40_000);
      expect((await team.admin.api.keys.list.query({ teamId: team.teamId, view: ALL })).counts).toEqual({ enabled: 0, disabled: 0, revoked: 2 });
    } finally {
      server.deps.now = realNow;
    }
  });
});
