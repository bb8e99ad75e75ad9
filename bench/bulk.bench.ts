import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generateKey } from '../shared/key-format';
import { newStoredKey } from '../server/lib/stored-key';
import { silentLogger } from '../server/deps';
import { parseEnv } from '../server/env';
import { hashKey } from '../server/lib/ids';
import { connectDeps } from '../server/runtime';
import { createServices } from '../server/services';

/**
 * Bulk actions at scale: Revoke All of a team's 10,000 keys (20 owners), timed from the call until the action is
 * complete and every key verifies REVOKED (each key verified once before, so its state is cached, as a team's keys
 * in use are; the revocation marks them revoked in the cache, see verify.service.ts). Median of BENCH_BULK_ROUNDS rounds (fresh keys each round), written to
 * `bench/results/bulk.json` (or BENCH_BULK_OUT) with a baseline measured in the same run: inserting the same
 * 10,000 keys (one `insertMany` per 1,000), so a slow machine slows both.
 */
const KEYS = Number(process.env.BENCH_BULK_KEYS ?? 10_000);
const OWNERS = 20;
const ROUNDS = Number(process.env.BENCH_BULK_ROUNDS ?? 3);
const OUT = process.env.BENCH_BULK_OUT ?? 'bench/results/bulk.json';

async function main() {
  const dataDir = mkdtempSync(join(tmpdir(), 'keywarden-bulk-'));
  const env = parseEnv({ ...process.env, DATA_DIR: dataDir, MONGODB_DB: `kw_bulk_${Date.now()}`, PORT: '0', KEYWARDEN_PEPPER: 'bench-pepper-0123456789abcdefghijklmnopqrstuvwxyz' });
  const { database, deps, storage } = await connectDeps(env, silentLogger);
  const services = createServices(deps, storage.repos);
  const rounds: { insertMs: number; revokeAllMs: number; allRevokedMs: number }[] = [];
  try {
    for (let round = 1; round <= ROUNDS; round++) {
      const { teamId, userId } = await services.teams.createTeamWithAdmin({ teamName: `Bulk ${round}`, adminEmail: `admin${round}-${Date.now()}@bulk.test` });
      const owners = [userId];
      for (let o = 1; o < OWNERS; o++) owners.push((await services.teams.addMember({ teamId, email: `m${o}-${round}-${Date.now()}@bulk.test`, role: 'member' })).userId);
      const values: string[] = [];
      const insertStart = performance.now();
      for (let start = 0; start < KEYS; start += 1000) {
        const docs = [];
        for (let i = start; i < Math.min(KEYS, start + 1000); i++) {
          const value = generateKey();
          values.push(value);
          const stored = newStoredKey(value, { teamId, ownerId: owners[i % OWNERS]!, name: `bulk ${i}`, createdAt: new Date(Date.now() - 60_000), expiresAt: null });
          docs.push({ _id: hashKey(deps.pepper, value), ...stored, nameLower: stored.name });
        }
        await storage.cols.keys.insertMany(docs as never);
      }
      const insertMs = performance.now() - insertStart;
      // Warm the verify cache with every key first: a real team's keys are in use, and revocation must reach the cache.
      for (const v of values) await services.verify.verify(v);
      // The warm-up's own background writes (last uses, usage counts) are done before the clock starts: they are not the action's.
      await services.verify.flush();
      await services.usage.flush();
      const actor = { userId, email: 'admin@bulk.test', role: 'super_admin' as const, ip: null, userAgent: 'bench' };
      const start = performance.now();
      const result = await services.keysAdmin.revokeAll(actor, teamId);
      const revokeAllMs = performance.now() - start;
      let notRevoked = 0;
      for (const v of values) if ((await services.verify.verify(v)).valid) notRevoked++;
      const allRevokedMs = performance.now() - start;
      const answer: unknown = typeof result === 'object' && result && 'revoked' in result ? result.revoked : result;
      // Earlier versions answered a count, today's the revoked keys' ids.
      const revoked = Array.isArray(answer) ? answer.length : answer;
      if (notRevoked > 0) throw new Error(`${notRevoked} keys still verify after Revoke All`);
      console.log(`[bulk] round ${round}: insert ${KEYS} keys ${insertMs.toFixed(0)} ms; revokeAll ${revokeAllMs.toFixed(0)} ms (revoked ${JSON.stringify(revoked)}); every key REVOKED after ${allRevokedMs.toFixed(0)} ms`);
      rounds.push({ insertMs, revokeAllMs, allRevokedMs });
    }
    const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
    const m = { insertMs: median(rounds.map((r) => r.insertMs)), revokeAllMs: median(rounds.map((r) => r.revokeAllMs)), allRevokedMs: median(rounds.map((r) => r.allRevokedMs)) };
    const report = {
      date: new Date().toISOString(),
      commit: readGitHead(),
      keys: KEYS,
      owners: OWNERS,
      rounds,
      median: m,
      revokeAllToInsertRatio: +(m.allRevokedMs / m.insertMs).toFixed(2),
    };
    mkdirSync(join(OUT, '..'), { recursive: true });
    writeFileSync(OUT, `${JSON.stringify(report, null, 2)}\n`);
    // Issue 23's figure, beside the dashboard's (run after bench/dashboard.bench.ts, which rewrites that file).
    const dashboard = 'bench/results/dashboard.json';
    const dash = existsSync(dashboard) ? (JSON.parse(readFileSync(dashboard, 'utf8')) as Record<string, unknown>) : {};
    writeFileSync(dashboard, `${JSON.stringify({ ...dash, bulk: { about: `Revoke All of ${KEYS} keys of ${OWNERS} owners, from the call until every key verifies REVOKED (median of ${ROUNDS})`, revokeAll10kMs: Math.round(m.allRevokedMs) } }, null, 2)}\n`);
    console.log(`[bulk] median: Revoke All of ${KEYS} keys ${m.revokeAllMs.toFixed(0)} ms, all REVOKED ${m.allRevokedMs.toFixed(0)} ms (${report.revokeAllToInsertRatio}x inserting them); wrote ${OUT}`);
  } finally {
    await storage.database.db.dropDatabase().catch(() => {});
    await storage.database.close();
    await database.stop();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

function readGitHead(): string | null {
  try {
    const head = readFileSync('.git/HEAD', 'utf8').trim();
    return head.startsWith('ref:') ? readFileSync(join('.git', head.slice(5)), 'utf8').trim().slice(0, 7) : head.slice(0, 7);
  } catch {
    return null;
  }
}

main().catch((err) => {
  console.error('[bulk] failed:', err);
  process.exit(1);
});
