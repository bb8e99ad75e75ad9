import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { foldUsageSnapshots } from '../../server/db/usage.repo';
import { silentLogger } from '../../server/deps';
import { parseEnv } from '../../server/env';
import { startKeywarden, type Keywarden } from '../../server/runtime';
import { startFerretdbOn } from '../helpers/ferretdb-variant';
import { createTeam, startTestServer, type TestServer } from '../helpers/harness';

/**
 * Usage written by the previous version (superseding per-instance snapshots: the highest `seq` of
 * an (instance, key, hour) holds its totals) reads the same once folded into per-hour totals, and
 * folding twice at once, or again, counts nothing twice.
 */
const HOUR = 60 * 60_000;
let server: TestServer;

beforeAll(async () => {
  server = await startTestServer({ label: 'legacy-usage' });
});
const cleanup: (() => Promise<void>)[] = [];
afterAll(async () => {
  for (const c of cleanup.reverse()) await c().catch(() => {});
  await server.close();
});

/** A snapshot document exactly as the previous version's flush inserted it. */
function snapshot(instance: string, seq: number, teamId: string | null, keyId: string | null, hour: Date, counts: { valid?: number; revoked?: number; notFound?: number }, ips: string[], lastValidAt: Date | null) {
  return {
    _id: `${instance}:${seq}:${keyId ?? '-'}:${hour.getTime()}`,
    instance,
    seq,
    teamId,
    keyId,
    hour,
    valid: counts.valid ?? 0,
    revoked: counts.revoked ?? 0,
    disabled: 0,
    expired: 0,
    malformed: 0,
    notFound: counts.notFound ?? 0,
    ips,
    ipsCapped: false,
    lastValidAt,
    lastValidIp: lastValidAt ? ips.at(-1)! : null,
    lastValidUa: lastValidAt ? 'legacy/1.0' : null,
    lastFailAt: null,
    lastFailCode: null,
    lastFailIp: null,
    lastFailUa: null,
  };
}

describe('usage written by the previous version', () => {
  it('reads the same after the fold, however many instances fold it at once and again', async () => {
    const team = await createTeam(server, 'Legacy usage');
    const { row } = await team.admin.api.keys.create.mutate({ teamId: team.teamId, name: 'svc' });
    const hour = new Date(Math.floor(Date.now() / HOUR) * HOUR - 2 * HOUR);
    const earlier = new Date(hour.getTime() - HOUR);
    const k = row.id;
    await server.storage.database.db.collection('usage').insertMany([
      // Instance A: seq 1 superseded by seq 3 (running totals 4 -> 9); instance B: 5 in the same hour.
      snapshot('instA', 1, team.teamId, k, hour, { valid: 4 }, ['10.0.0.1'], new Date(hour.getTime() + 60_000)),
      snapshot('instA', 3, team.teamId, k, hour, { valid: 9, revoked: 1 }, ['10.0.0.1', '10.0.0.2'], new Date(hour.getTime() + 120_000)),
      snapshot('instB', 2, team.teamId, k, hour, { valid: 5 }, ['10.0.0.3'], new Date(hour.getTime() + 90_000)),
      snapshot('instB', 1, team.teamId, k, earlier, { valid: 2 }, ['10.0.0.3'], new Date(earlier.getTime() + 5_000)),
      snapshot('instB', 2, null, null, hour, { notFound: 7 }, [], null),
    ] as never[]);

    // Two instances starting at once, then a re-run (say, after a crash).
    await Promise.all([foldUsageSnapshots(server.storage.cols), foldUsageSnapshots(server.storage.cols)]);
    await foldUsageSnapshots(server.storage.cols);

    const usage = await team.admin.api.keys.usage.query({ teamId: team.teamId, keyId: k, range: '24h' });
    expect(usage.totals).toEqual({ valid: 9 + 5 + 2, failed: { REVOKED: 1, DISABLED: 0, EXPIRED: 0 }, denied: { RATE_LIMITED: 0, USAGE_EXCEEDED: 0, FORBIDDEN: 0, INSUFFICIENT_PERMISSIONS: 0 } });
    expect(usage.buckets.find((b) => b.at.getTime() === hour.getTime())).toMatchObject({ valid: 14, distinctIps: 3 });
    expect(usage.buckets.find((b) => b.at.getTime() === earlier.getTime())).toMatchObject({ valid: 2, distinctIps: 1 });
    expect(usage).toMatchObject({ distinctIps: 3, lastUsedAt: new Date(hour.getTime() + 120_000), lastIp: '10.0.0.2', lastUserAgent: 'legacy/1.0' });
    expect(await server.services.usage.unattributed(earlier)).toEqual([{ at: hour, malformed: 0, notFound: 7 }]);
    // One document per (key, hour); no snapshot left.
    expect(await server.storage.cols.usage.countDocuments({ keyId: k })).toBe(2);
    expect(await server.storage.database.db.collection('usage').countDocuments({ instance: { $exists: true } })).toBe(0);

    // New counts add to the folded totals.
    await server.storage.repos.usage.addFlushes([
      {
        flushId: 'new:1',
        source: 'new',
        delta: { teamId: team.teamId, keyId: k, hour, valid: 1, revoked: 0, disabled: 0, expired: 0, malformed: 0, notFound: 0, ips: ['10.0.0.1'], ipsCapped: false, lastValid: null, lastFail: null },
      },
    ]);
    expect((await team.admin.api.keys.usage.query({ teamId: team.teamId, keyId: k, range: '24h' })).totals.valid).toBe(17);
  });
});

describe('the DATA_DIR written by the previous version (test/fixtures/legacy-v1)', () => {
  const FIXTURE = join(__dirname, '../fixtures/legacy-v1');
  const manifest = JSON.parse(readFileSync(join(FIXTURE, 'manifest.json'), 'utf8')) as {
    pepper: string;
    dbName: string;
    teamId: string;
    keys: Record<string, { id: string }>;
    expected: { usage: { used: number; revokedTried: number } };
  };

  it('keeps its usage counts when two instances start on it at once, and a later fold changes nothing', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'keywarden-legacy-usage-'));
    cleanup.push(async () => rmSync(dir, { recursive: true, force: true }));
    execFileSync('tar', ['-xzf', join(FIXTURE, 'data.tar.gz'), '-C', dir]);
    const engine = await startFerretdbOn(dir, []);
    cleanup.push(() => engine.stop());
    const env = parseEnv({ DATA_DIR: dir, MONGODB_URI: engine.uri, HOST: '127.0.0.1', PORT: '0', KEYWARDEN_PEPPER: manifest.pepper, MONGODB_DB: manifest.dbName, KEYWARDEN_SEED_DEMO: 'false' });
    const start = async () => {
      const kw = await startKeywarden(env, { log: silentLogger, jobs: false, database: { uri: engine.uri, embedded: false, stop: async () => {} } });
      cleanup.push(() => kw.stop());
      return kw;
    };
    const [a, b] = await Promise.all([start(), start()]);

    const totals = async (kw: Keywarden, name: string) => {
      const docs = await kw.storage.repos.usage.ofKey(manifest.teamId, manifest.keys[name]!.id, new Date(0));
      return { valid: docs.reduce((n, d) => n + d.valid, 0), revoked: docs.reduce((n, d) => n + d.revoked, 0), documents: docs.length };
    };
    const { used, revokedTried } = manifest.expected.usage;
    for (const kw of [a, b]) {
      expect(await totals(kw, 'used')).toEqual({ valid: used, revoked: 0, documents: 1 });
      expect(await totals(kw, 'revoked-by-admin')).toEqual({ valid: 0, revoked: revokedTried, documents: 1 });
    }
    // Folded into today's documents: no snapshot is left.
    expect(await a.storage.database.db.collection('usage').countDocuments({ instance: { $exists: true } })).toBe(0);
    await foldUsageSnapshots(a.storage.cols);
    expect(await totals(b, 'used')).toEqual({ valid: used, revoked: 0, documents: 1 });
  }, 120_000);
});
