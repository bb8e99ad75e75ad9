import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { serve, type ServerType } from '@hono/node-server';
import { generateKey } from '../shared/key-format';
import { newStoredKey } from '../server/db/keys.repo';
import { createApp } from '../server/app';
import { requestLimitsFromEnv } from '../server/http/limits';
import { verifyRoutes } from '../server/http/verify.routes';
import { silentLogger } from '../server/deps';
import { parseEnv } from '../server/env';
import { hashKey, newId } from '../server/lib/ids';
import { connectDeps } from '../server/runtime';
import { createServices } from '../server/services';

/**
 * `npm run bench`: the verify API against a trivial Hono route measured in the
 * same run, interleaved round by round, so machine noise hits both alike.
 * Results are ratios to that baseline, written to bench/results/verify.json.
 */
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const SECONDS = Number(process.env.BENCH_SECONDS ?? 5);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 10);
const KEY_COUNT = 10_000;

async function main() {
  const dataDir = mkdtempSync(join(tmpdir(), 'keywarden-bench-'));
  // All load comes from one address: a verify budget per address far above what it can send, so nothing is throttled.
  const env = parseEnv({ VERIFY_RATE_LIMIT_PER_IP: '1000000', ...process.env, DATA_DIR: dataDir, MONGODB_DB: `kw_bench_${Date.now()}`, PORT: '0', KEYWARDEN_PEPPER: 'bench-pepper-0123456789abcdefghijklmnopqrstuvwxyz' });
  const { database, deps } = await connectDeps(env, silentLogger);
  const services = createServices(deps);
  services.verify.startWatching();
  try {
    console.log(`[bench] database: ${database.embedded ? 'embedded FerretDB' : 'MONGODB_URI'}; seeding ${KEY_COUNT} keys…`);
    const validKey = await seedKeys(deps, KEY_COUNT);

    const app = createApp(deps, services, requestLimitsFromEnv(env));
    // The baseline: the same server, the same middleware, a handler that does nothing.
    app.post('/bench/baseline', (c) => c.json({ valid: false, code: 'BASELINE' }));
    // For reference: the same verify route with the in-process cache off (one database look-up per call).
    app.route('/bench/uncached', verifyRoutes(deps, createServices(deps, { verify: { cacheTtlMs: 0 } })));
    const server = await new Promise<ServerType>((resolve) => {
      const s = serve({ fetch: app.fetch, hostname: '127.0.0.1', port: 0 }, () => resolve(s));
    });
    const port = (server.address() as { port: number }).port;
    const base = `http://127.0.0.1:${port}`;

    const scenarios = [
      { name: 'baseline', url: `${base}/bench/baseline`, body: JSON.stringify({ key: validKey }) },
      { name: 'verify_valid', url: `${base}/v1/keys/verify`, body: JSON.stringify({ key: validKey }) },
      { name: 'verify_malformed', url: `${base}/v1/keys/verify`, body: JSON.stringify({ key: `${validKey.slice(0, -1)}${validKey.endsWith('A') ? 'B' : 'A'}` }) },
      { name: 'verify_unknown', url: `${base}/v1/keys/verify`, body: JSON.stringify({ key: generateKey() }) },
      { name: 'verify_valid_uncached', url: `${base}/bench/uncached/keys/verify`, body: JSON.stringify({ key: validKey }) },
    ];
    const samples: Record<string, { rps: number; p50: number; p99: number; errors: number }[]> = {};
    for (let round = 1; round <= ROUNDS; round++) {
      for (const s of scenarios) {
        // Async: the server under test runs on this process's event loop.
        const { stdout: out } = await promisify(execFile)(process.execPath, ['bench/load.mjs', s.url, s.body, String(SECONDS), String(CONNECTIONS)], { encoding: 'utf8' });
        const r = JSON.parse(out.trim().split('\n').at(-1)!);
        (samples[s.name] ??= []).push(r);
        console.log(`[bench] round ${round} ${s.name.padEnd(21)} ${r.rps.toFixed(0).padStart(6)} req/s  p50 ${r.p50} ms  p99 ${r.p99} ms${r.errors ? `  errors ${r.errors}` : ''}`);
      }
    }
    server.close();
    await services.verify.flush();

    const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
    const summary = Object.fromEntries(
      Object.entries(samples).map(([name, rs]) => [name, { rps: median(rs.map((r) => r.rps)), p50: median(rs.map((r) => r.p50)), p99: median(rs.map((r) => r.p99)), errors: rs.reduce((n, r) => n + r.errors, 0) }]),
    );
    const baseline = summary.baseline!;
    const results = Object.fromEntries(
      Object.entries(summary).map(([name, s]) => [name, { ...s, throughputRatio: +(s.rps / baseline.rps).toFixed(3), p99OverBaselineMs: +(s.p99 - baseline.p99).toFixed(2) }]),
    );
    const targets = {
      verify_valid: { throughputRatioAtLeast: 0.5, p99OverBaselineMsAtMost: 2, met: results.verify_valid!.throughputRatio >= 0.5 && results.verify_valid!.p99OverBaselineMs <= 2 },
      verify_malformed: { throughputRatioAtLeast: 0.8, met: results.verify_malformed!.throughputRatio >= 0.8 },
    };
    const report = {
      date: new Date().toISOString(),
      machine: { cpus: (await import('node:os')).cpus().length, node: process.version },
      database: database.embedded ? 'embedded FerretDB v1.24.2 (SQLite)' : 'MONGODB_URI',
      keys: KEY_COUNT,
      method: { rounds: ROUNDS, secondsPerRun: SECONDS, connections: CONNECTIONS, aggregate: 'median over rounds', loadGenerator: 'autocannon in a second process' },
      results,
      targets,
    };
    mkdirSync('bench/results', { recursive: true });
    writeFileSync('bench/results/verify.json', `${JSON.stringify(report, null, 2)}\n`);
    console.log('\n[bench] scenario               req/s   ratio   p50   p99   p99 - baseline');
    for (const [name, r] of Object.entries(results)) {
      console.log(`[bench] ${name.padEnd(21)} ${r.rps.toFixed(0).padStart(7)}  ${r.throughputRatio.toFixed(2).padStart(5)}x  ${String(r.p50).padStart(4)}  ${String(r.p99).padStart(4)}   ${r.p99OverBaselineMs >= 0 ? '+' : ''}${r.p99OverBaselineMs} ms`);
    }
    console.log(`[bench] targets: valid >= 0.5x and p99 <= baseline + 2 ms: ${targets.verify_valid.met ? 'met' : 'NOT met'}; malformed >= 0.8x: ${targets.verify_malformed.met ? 'met' : 'NOT met'}`);
    console.log('[bench] wrote bench/results/verify.json');
  } finally {
    await deps.database.db.dropDatabase().catch(() => {});
    await deps.database.close();
    await database.stop();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

/** Inserts `count` keys of one team directly (the bench measures verify, not issuing) and returns one valid plaintext. */
async function seedKeys(deps: Awaited<ReturnType<typeof connectDeps>>['deps'], count: number): Promise<string> {
  const teamId = newId('team');
  const ownerId = newId('usr');
  const now = new Date();
  let valid = '';
  for (let start = 0; start < count; start += 1000) {
    const docs = [];
    for (let i = start; i < Math.min(count, start + 1000); i++) {
      const key = generateKey();
      if (i === Math.floor(count / 2)) valid = key;
      const stored = newStoredKey(key, { teamId, ownerId, name: `bench ${i}`, createdAt: now, expiresAt: null });
      docs.push({ _id: hashKey(deps.pepper, key), ...stored, nameLower: stored.name });
    }
    await deps.cols.keys.insertMany(docs);
  }
  return valid;
}

main().catch((err) => {
  console.error('[bench] failed:', err);
  process.exit(1);
});
