import type { CommandStartedEvent } from 'mongodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateKey } from '../../shared/key-format';
import { expireKey } from '../helpers/fixtures';
import { createTeam, startTestServer, type TestServer } from '../helpers/harness';
import { verifyService } from '../../server/services/verify.service';
import { BACKGROUND_COMMENT } from '../../server/db/key-lists';

let server: TestServer;
const commands: CommandStartedEvent[] = [];
beforeAll(async () => {
  server = await startTestServer({ label: 'verify', monitorCommands: true });
  // The write-coalescing test counts the commands verification sends to the database.
  server.storage.database.client.on('commandStarted', (e) => commands.push(e));
});
afterAll(() => server.close());

const verify = async (body: unknown, raw = false) => {
  const res = await fetch(`${server.url}/v1/keys/verify`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: raw ? (body as string) : JSON.stringify(body),
  });
  return { status: res.status, body: await res.json() };
};

describe('POST /v1/keys/verify', () => {
  it('accepts a valid key and says whose it is', async () => {
    const team = await createTeam(server);
    const { key, row } = await team.admin.api.keys.create.mutate({ teamId: team.teamId, name: 'svc', expiresInDays: 10 });
    const res = await verify({ key });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({
      valid: true,
      keyId: row.id,
      teamId: team.teamId,
      ownerId: team.admin.userId,
      expiresAt: row.expiresAt!.toISOString(),
      permissions: [],
      roles: [],
      meta: null,
      identity: null,
      // A key without limits answers empty rate limits and no credits (issue 25).
      ratelimits: [],
      credits: null,
    });
  });

  it('answers MALFORMED for a bad checksum without touching the database', async () => {
    const key = generateKey();
    const typo = key.slice(0, 10) + (key[10] === 'a' ? 'b' : 'a') + key.slice(11);
    // Earlier tests' last uses are written in the background: let them land before counting.
    await server.services.verify.flush();
    commands.length = 0;
    for (const candidate of [typo, 'kw_short', 'sk_live_abc', '', `${key}x`]) {
      expect((await verify({ key: candidate })).body).toEqual({ valid: false, code: 'MALFORMED' });
    }
    // Only commands on the keys collection count: the cache's revision poll and the membership poll run beside the test.
    const onKeys = commands.filter((c) => (c.command.find === 'keys' || c.command.update === 'keys') && c.command.comment !== BACKGROUND_COMMENT);
    expect(onKeys).toHaveLength(0);
  });

  it('reads one document on a cache miss: the key, with its rotation and its revocation', async () => {
    const team = await createTeam(server);
    const { key, row } = await team.admin.api.keys.create.mutate({ teamId: team.teamId, name: 'rotated svc' });
    const rotated = await team.admin.api.keys.rotate.mutate({ teamId: team.teamId, keyId: row.id, graceHours: 1 });
    // The rotation dropped the cache: this verify reads the database.
    commands.length = 0;
    expect((await verify({ key })).body).toMatchObject({ valid: true, keyId: row.id, rotation: { replacedBy: rotated.row.id } });
    // Other collections' reads (the revision poll, the alerts bus) run beside the test: every other read is counted.
    const reads = commands.filter((c) => c.commandName === 'find' && !['revisions'].includes(String(c.command.find)) && c.command.comment !== BACKGROUND_COMMENT);
    expect(reads.map((c) => c.command.find)).toEqual(['keys']);
  });

  it('answers NOT_FOUND for a well-formed unknown key', async () => {
    expect((await verify({ key: generateKey() })).body).toEqual({ valid: false, code: 'NOT_FOUND' });
  });

  it('denies a revoked key on the very next verify', async () => {
    const team = await createTeam(server);
    const { key, row } = await team.admin.api.keys.create.mutate({ teamId: team.teamId, name: 'svc' });
    expect((await verify({ key })).body.valid).toBe(true);
    await team.admin.api.keys.revokeOwn.mutate({ teamId: team.teamId, keyId: row.id });
    expect((await verify({ key })).body).toEqual({ valid: false, code: 'REVOKED' });
  });

  it('denies an expired key from its expiry instant, before any sweep', async () => {
    const team = await createTeam(server);
    const { key, row } = await team.admin.api.keys.create.mutate({ teamId: team.teamId, name: 'svc', expiresInDays: 1 });
    await expireKey(server, row.id);
    expect((await verify({ key })).body).toEqual({ valid: false, code: 'EXPIRED' });
  });

  it('denies a disabled key', async () => {
    const team = await createTeam(server);
    const { key, row } = await team.admin.api.keys.create.mutate({ teamId: team.teamId, name: 'svc' });
    await team.admin.api.keys.disable.mutate({ teamId: team.teamId, keyIds: [row.id] });
    expect((await verify({ key })).body).toEqual({ valid: false, code: 'DISABLED' });
  });

  it('rejects a body that is not JSON, lacks key, or has a non-string key with 400', async () => {
    for (const [body, raw] of [['{not json', true], [{}, false], [{ key: 42 }, false], [[], false]] as const) {
      const res = await verify(body, raw);
      expect(res.status).toBe(400);
      expect(res.body.message).toMatch(/"key"/);
    }
  });

  it('writes lastUsedAt at most twice for 1000 verifies within a minute', async () => {
    const team = await createTeam(server);
    const { key, row } = await team.admin.api.keys.create.mutate({ teamId: team.teamId, name: 'busy' });
    // Earlier tests' last uses are written in the background: let them land before counting.
    await server.services.verify.flush();
    commands.length = 0;
    for (let batch = 0; batch < 20; batch++) {
      const results = await Promise.all(Array.from({ length: 50 }, () => verify({ key })));
      expect(results.every((r) => r.body.valid)).toBe(true);
    }
    await server.services.verify.flush();
    const writes = commands.filter((c) => c.commandName === 'update' && c.command.update === 'keys');
    expect(writes.length).toBeGreaterThanOrEqual(1);
    expect(writes.length).toBeLessThanOrEqual(2);
    const [mine] = (await team.admin.api.keys.mine.query({ teamId: team.teamId })).items;
    expect(mine).toMatchObject({ id: row.id, lastUsedAt: expect.any(Date) });
  });
});

describe('GET /v1/me', () => {
  it('shows a key holder its owner, team and row', async () => {
    const team = await createTeam(server, 'Me Team');
    const { key, row } = await team.admin.api.keys.create.mutate({ teamId: team.teamId, name: 'me' });
    const res = await fetch(`${server.url}/v1/me`, { headers: { authorization: `Bearer ${key}` } });
    expect(res.status).toBe(200);
    const body = await res.json();
    expect(body).toMatchObject({ team: { id: team.teamId, name: 'Me Team' }, owner: { id: team.admin.userId, email: team.admin.email }, key: { id: row.id, name: 'me', status: 'enabled' } });
    expect(JSON.stringify(body)).not.toContain(key);
  });

  it('answers 401 for a missing, malformed, unknown or revoked key', async () => {
    const team = await createTeam(server);
    const { key, row } = await team.admin.api.keys.create.mutate({ teamId: team.teamId, name: 'me' });
    await team.admin.api.keys.revokeOwn.mutate({ teamId: team.teamId, keyId: row.id });
    for (const auth of [undefined, 'Bearer kw_nope', `Bearer ${generateKey()}`, `Bearer ${key}`]) {
      const res = await fetch(`${server.url}/v1/me`, { headers: auth ? { authorization: auth } : {} });
      expect(res.status).toBe(401);
    }
  });
});

describe('the verify cache across server instances', () => {
  it('sees a revocation made on another instance within the revision poll', async () => {
    const other = await startTestServer({ label: 'verify2', dbName: server.dbName });
    try {
      const team = await createTeam(server);
      const { key, row } = await team.admin.api.keys.create.mutate({ teamId: team.teamId, name: 'shared' });
      expect((await verify({ key })).body.valid).toBe(true); // now cached on `server`
      await other.client(team.admin.token).keys.revokeOwn.mutate({ teamId: team.teamId, keyId: row.id });
      const revokedAt = Date.now();
      await expect.poll(async () => (await verify({ key })).body.code, { timeout: 30_000, interval: 50 }).toBe('REVOKED');
      // The bound is the ~1 s revision poll; a loaded machine gets slack, but nowhere near the 60 s cache TTL.
      expect(Date.now() - revokedAt).toBeLessThan(5000);
    } finally {
      await other.stop();
    }
  });

  it('sees the very first revocation on a fresh database within the bound', async () => {
    // A fresh database: no revision document exists yet when the second instance starts watching.
    const first = await startTestServer({ label: 'verify-fresh' });
    const second = await startTestServer({ label: 'verify-fresh2', dbName: first.dbName });
    try {
      const team = await createTeam(first);
      const { key, row } = await team.admin.api.keys.create.mutate({ teamId: team.teamId, name: 'fresh' });
      const verifyOn = async (s: TestServer) =>
        ((await (await fetch(`${s.url}/v1/keys/verify`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ key }) })).json()) as { code?: string; valid: boolean });
      expect((await verifyOn(second)).valid).toBe(true); // cached on `second` before its first poll
      await team.admin.api.keys.revokeOwn.mutate({ teamId: team.teamId, keyId: row.id });
      const revokedAt = Date.now();
      // The documented bound is ~1 s (the revision poll); allow a loaded machine three times that, far below the 60 s TTL.
      await expect.poll(async () => (await verifyOn(second)).code, { timeout: 30_000, interval: 50 }).toBe('REVOKED');
      expect(Date.now() - revokedAt).toBeLessThan(3000 + 2000);
    } finally {
      await second.stop();
      await first.close();
    }
  });
});

describe('the verify cache under a stream of unknown keys', () => {
  it('evicts the least recently used entries instead of emptying itself', async () => {
    const team = await createTeam(server);
    const { key } = await team.admin.api.keys.create.mutate({ teamId: team.teamId, name: 'hot' });
    let lookups = 0;
    // About the cache's storage look-ups: the keys repo is wrapped to count them.
    const keys = server.storage.repos.keys;
    const counted = { ...keys, findForVerify: (hash: string) => (lookups++, keys.findForVerify(hash)) };
    const cache = verifyService(server.deps, { keys: counted, revisions: server.storage.repos.revisions }, { cacheMaxEntries: 5 });
    expect((await cache.verify(key)).valid).toBe(true);
    // A stream of well-formed unknown keys, the hot key used between them: it stays the most recently used.
    for (let i = 0; i < 20; i++) {
      expect((await cache.verify(generateKey())).valid).toBe(false);
      expect((await cache.verify(key)).valid).toBe(true);
    }
    // One look-up for the hot key (its first use), one for each unknown key: the hot key was never evicted.
    expect(lookups).toBe(1 + 20);
    await cache.flush();
  });
});

describe('verify look-ups under concurrency', () => {
  it('sends look-ups that arrive while reads are in flight together, each answered with its own key', async () => {
    const team = await createTeam(server);
    const created = [];
    for (let i = 0; i < 6; i++) created.push(await team.admin.api.keys.create.mutate({ teamId: team.teamId, name: `together ${i}` }));
    // The cache off: every verify is a look-up.
    const uncached = verifyService(server.deps, { keys: server.storage.repos.keys, revisions: server.storage.repos.revisions }, { cacheTtlMs: 0 });
    const presented = [...created.flatMap(({ key }) => [key, key, key]), generateKey(), generateKey()];
    commands.length = 0;
    const answers = await Promise.all(presented.map((key) => uncached.verify(key)));
    created.forEach(({ row }, i) => {
      for (const a of answers.slice(i * 3, i * 3 + 3)) expect(a).toMatchObject({ valid: true, keyId: row.id });
    });
    expect(answers.slice(-2)).toEqual([{ valid: false, code: 'NOT_FOUND' }, { valid: false, code: 'NOT_FOUND' }]);
    const lookups = commands.filter((c) => c.command.find === 'keys' && '_id' in (c.command.filter ?? {}));
    // 20 look-ups at once: the first two go out alone, the rest wait for one of them and go together.
    expect(lookups.length).toBeGreaterThan(0);
    expect(lookups.length).toBeLessThanOrEqual(4);
    await uncached.flush();
  });
});
