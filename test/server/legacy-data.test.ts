import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { silentLogger } from '../../server/deps';
import { migrate } from '../../server/db/migrate';
import { parseEnv } from '../../server/env';
import { newStoredKey } from '../../server/lib/stored-key';
import { startKeywarden, type Keywarden } from '../../server/runtime';
import { startFerretdbOn } from '../helpers/ferretdb-variant';
import { createTeam, sessionFor, startTestServer, trpcClient } from '../helpers/harness';
import { verifyKey } from '../helpers/keys';

/**
 * A DATA_DIR written by the previous version (test/fixtures/legacy-v1, made by
 * commit 08da7ab: revocation records, rotation records, key-request claims,
 * leak-first records) starts under today's code without loss: the legacy
 * records are folded into the documents they were about (server/db/migrate.ts).
 */
const FIXTURE = join(__dirname, '../fixtures/legacy-v1');
type Named = { id: string; key: string };
const manifest = JSON.parse(readFileSync(join(FIXTURE, 'manifest.json'), 'utf8')) as {
  pepper: string;
  dbName: string;
  teamId: string;
  memberId: string;
  keys: Record<string, Named>;
  expected: {
    revoked: string[];
    valid: string[];
    disabled: string[];
    rotatedReplacement: Named;
    fromGrant: Named;
    requests: { usedGrant: string; waitingGrant: string; denied: string };
    pendingAction: { id: string; keys: string[] };
  };
};
const { teamId, keys, expected } = manifest;

const dirs: string[] = [];
const running: { stop(): Promise<void> }[] = [];
afterAll(async () => {
  for (const r of running.reverse()) await r.stop().catch(() => {});
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

function copyOfFixture(): string {
  const dir = mkdtempSync(join(tmpdir(), 'keywarden-legacy-'));
  dirs.push(dir);
  execFileSync('tar', ['-xzf', join(FIXTURE, 'data.tar.gz'), '-C', dir]);
  return dir;
}

const envFor = (dataDir: string, extra: Record<string, string> = {}) =>
  parseEnv({ DATA_DIR: dataDir, HOST: '127.0.0.1', PORT: '0', KEYWARDEN_PEPPER: manifest.pepper, MONGODB_DB: manifest.dbName, KEYWARDEN_SEED_DEMO: 'false', ...extra });

async function start(dataDir: string, uri?: string): Promise<Keywarden> {
  const kw = uri
    ? await startKeywarden(envFor(dataDir, { MONGODB_URI: uri }), { log: silentLogger, jobs: false, database: { uri, embedded: false, stop: async () => {} } })
    : await startKeywarden(envFor(dataDir), { log: silentLogger, jobs: false });
  running.push(kw);
  return kw;
}

type Verified = { valid: boolean; code?: string; keyId?: string; rotation?: { replacedBy: string; graceEndsAt: string } };
const verify = (kw: Keywarden, name: string) => verifyKey(kw, keys[name]!.key) as Promise<Verified>;

/** What the previous version's data must still say, read through today's code. */
async function expectPreviousStateKept(kw: Keywarden) {
  for (const name of expected.revoked) {
    expect({ name, code: (await verify(kw, name)).code }).toEqual({ name, code: 'REVOKED' });
    const stored = await kw.storage.repos.keys.findByPublicId(teamId, keys[name]!.id);
    expect({ name, status: stored?.status, revokedAt: stored?.revokedAt instanceof Date }).toEqual({ name, status: 'revoked', revokedAt: true });
  }
  for (const name of expected.valid) expect({ name, valid: (await verify(kw, name)).valid }).toEqual({ name, valid: true });
  for (const name of expected.disabled) expect((await verify(kw, name)).code).toBe('DISABLED');

  // The rotated key is still in its grace, read from the key itself, and names its replacement.
  const rotated = await verify(kw, 'rotated');
  expect(rotated.rotation?.replacedBy).toBe(expected.rotatedReplacement.id);
  expect(new Date(rotated.rotation!.graceEndsAt).getTime()).toBeGreaterThan(Date.now());
  expect((await verifyKey(kw, expected.rotatedReplacement.key)).valid).toBe(true);
  expect(await kw.storage.repos.keys.findByPublicId(teamId, expected.rotatedReplacement.id)).toMatchObject({ replaces: keys.rotated!.id });

  // Decided requests stay decided; the used grant stays used.
  const requests = kw.storage.repos.keyRequests;
  expect(await requests.find(teamId, expected.requests.usedGrant)).toMatchObject({ state: 'approved', keyId: expected.fromGrant.id });
  expect(await requests.find(teamId, expected.requests.waitingGrant)).toMatchObject({ state: 'approved', keyId: null });
  expect(await requests.find(teamId, expected.requests.denied)).toMatchObject({ state: 'denied' });

  // The legacy shapes are gone, folded into their documents.
  const names = (await kw.storage.database.db.listCollections({}, { nameOnly: true }).toArray()).map((c) => c.name);
  expect(names.filter((n) => ['revocations', 'rotations', 'key_request_claims'].includes(n))).toEqual([]);
  expect(await kw.storage.cols.leaks.countDocuments({ kind: 'first' })).toBe(0);
  expect((await kw.storage.cols.keys.findOne({ id: keys.leaked!.id }))?.leak?.handledAt).toBeInstanceOf(Date);
}

describe('a DATA_DIR written by the previous version', () => {
  it('starts without loss: every revocation kept, the rotation in its grace, decided requests decided', async () => {
    const kw = await start(copyOfFixture());
    await expectPreviousStateKept(kw);
    const member = trpcClient(kw.url, await sessionFor(kw, manifest.memberId));
    await expect(member.keys.create.mutate({ teamId, name: 'again', requestId: expected.requests.usedGrant })).rejects.toThrow(/already used/);
    // The bulk revoke the previous version left pending is finished by the background pass.
    expect(await kw.services.keyActions.resumePending(0)).toBeGreaterThanOrEqual(1);
    for (const name of expected.pendingAction.keys) {
      expect(await kw.storage.repos.keys.findByPublicId(teamId, keys[name]!.id)).toMatchObject({ status: 'revoked', actionId: expected.pendingAction.id });
      expect((await verify(kw, name)).code).toBe('REVOKED');
    }
  }, 120_000);

  it('is folded once when two instances start on it together, and a later run changes nothing', async () => {
    const dir = copyOfFixture();
    const engine = await startFerretdbOn(dir, []);
    running.push(engine);
    const [a, b] = await Promise.all([start(dir, engine.uri), start(dir, engine.uri)]);
    await expectPreviousStateKept(a!);
    await expectPreviousStateKept(b!);
    const snapshot = () => a!.storage.cols.keys.find({}).sort({ _id: 1 }).toArray();
    // The verifies above write "last used" in the background: let them land first.
    await Promise.all([a!.services.verify.flush(), b!.services.verify.flush()]);
    const before = await snapshot();
    await migrate(a!.storage.database.db, a!.storage.cols);
    expect(await snapshot()).toEqual(before);
  }, 120_000);
});

describe('legacy records the fixture does not hold', () => {
  it('folds a revocation record, a rotation, an unfinished leak handling and grant claims into their documents', async () => {
    const server = await startTestServer({ label: 'legacy-shapes' });
    running.push({ stop: server.close });
    const team = await createTeam(server);
    const db = server.storage.database.db;
    const at = new Date();
    const key = async (name: string, status: 'enabled' | 'disabled' = 'enabled') => {
      const stored = newStoredKey(`kw_legacy_${name}`, { teamId: team.teamId, ownerId: team.admin.userId, name, createdAt: at, expiresAt: null, status });
      const hash = `hash_${name}_${Math.random().toString(36).slice(2)}`;
      await server.storage.repos.keys.insert(hash, stored);
      return { hash, id: stored.id };
    };
    const clobbered = await key('clobbered');
    const rotated = await key('rotated');
    const leaked = await key('leaked');
    await db.collection('revocations').insertOne({ _id: clobbered.hash as never, keyId: clobbered.id, teamId: team.teamId, actionId: 'act_legacy', reason: 'leaked', at, by: null });
    const graceEndsAt = new Date(at.getTime() + 3_600_000);
    await db.collection('rotations').insertOne({ _id: rotated.hash as never, teamId: team.teamId, keyId: rotated.id, ownerId: team.admin.userId, replacedBy: 'key_next', graceEndsAt, at, by: null, state: 'grace' });
    await db.collection('leaks').insertOne({ _id: `first:${leaked.id}` as never, kind: 'first', keyId: leaked.id, teamId: team.teamId, ownerId: team.admin.userId, source: 'github', url: null, note: null, at, action: 'none', actionId: null, ip: null, userAgent: null });
    // A grant whose use was claimed but whose key was never written, and a decision claimed but never written.
    const request = (id: string, state: 'approved' | 'pending') =>
      server.storage.repos.keyRequests.insert({ id, teamId: team.teamId, userId: team.admin.userId, email: '', name: id, reason: 'legacy', expiresInDays: null, state, createdAt: at, decidedAt: null, decidedBy: null, note: null, grantExpiresAt: state === 'approved' ? new Date(at.getTime() + 86_400_000) : null, keyId: null });
    await request('kreq_used_unwritten', 'approved');
    await request('kreq_decided_unwritten', 'pending');
    await db.collection('key_request_claims').insertMany([
      { _id: 'use:kreq_used_unwritten' as never, at, by: team.admin.userId },
      { _id: 'decide:kreq_decided_unwritten' as never, at, by: team.admin.userId },
    ]);

    await Promise.all([migrate(db, server.storage.cols), migrate(db, server.storage.cols)]);
    await migrate(db, server.storage.cols);

    expect(await server.storage.repos.keys.findByPublicId(team.teamId, clobbered.id)).toMatchObject({ status: 'revoked', revokedReason: 'leaked', actionId: 'act_legacy' });
    expect((await server.storage.repos.keys.findForVerify(rotated.hash))?.rotation).toEqual({ replacedBy: 'key_next', graceEndsAt });
    expect(await server.storage.repos.rotations.findByRef(rotated.hash)).toMatchObject({ state: 'grace', keyId: rotated.id });
    // The first report's handling never finished: the next report still takes it on.
    expect(await server.storage.repos.leaks.claimHandling(team.teamId, leaked.id, new Date())).toBe(true);
    await server.storage.repos.leaks.markHandled(team.teamId, leaked.id, new Date());
    expect(await server.storage.repos.leaks.claimHandling(team.teamId, leaked.id, new Date())).toBe(false);
    // The claimed use consumed the grant (no second key from it); the unwritten decision left the request pending.
    const used = await server.storage.repos.keyRequests.find(team.teamId, 'kreq_used_unwritten');
    expect(used!.grantExpiresAt!.getTime()).toBe(at.getTime());
    expect(await server.storage.repos.keyRequests.useGrant('kreq_used_unwritten', team.admin.userId, 'key_x', new Date())).toBe(false);
    expect(await server.storage.repos.keyRequests.find(team.teamId, 'kreq_decided_unwritten')).toMatchObject({ state: 'pending' });
  }, 60_000);
});
