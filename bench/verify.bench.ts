import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { serve, type ServerType } from '@hono/node-server';
import { generateKey } from '../shared/key-format';
import { newStoredKey } from '../server/lib/stored-key';
import { createApp } from '../server/app';
import { requestLimitsFromEnv } from '../server/http/limits';
import { verifyRoutes } from '../server/http/verify.routes';
import { silentLogger } from '../server/deps';
import type { BenchDeps } from './bench-deps';
import { parseEnv } from '../server/env';
import { hashKey, newId } from '../server/lib/ids';
import { connectDeps } from '../server/runtime';
import { createServices } from '../server/services';
import { measureFlood } from './flood';
import { LIMIT_TARGETS, seedLimitScenarios } from './limits-scenarios';

/**
 * `npm run bench`: the verify API against a trivial Hono route measured in the
 * same run, interleaved round by round, so machine noise hits both alike.
 * Results are ratios to that baseline, written to bench/results/verify.json.
 * Usage recording is on, as in production; `verify_random_valid` presents all
 * 10,000 keys in rotation, so every flush writes thousands of key totals.
 */
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const SECONDS = Number(process.env.BENCH_SECONDS ?? 5);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 10);
const KEY_COUNT = 10_000;

async function main() {
  const dataDir = mkdtempSync(join(tmpdir(), 'keywarden-bench-'));
  // All load comes from one address: a verify budget per address far above what it can send, so nothing is throttled.
  const env = parseEnv({ VERIFY_RATE_LIMIT_PER_IP: '1000000', ...process.env, DATA_DIR: dataDir, MONGODB_DB: `kw_bench_${Date.now()}`, PORT: '0', KEYWARDEN_PEPPER: 'bench-pepper-0123456789abcdefghijklmnopqrstuvwxyz' });
  const connected = await connectDeps(env, silentLogger);
  const { database } = connected;
  const deps = { ...connected.deps, storage: connected.storage };
  const services = createServices(connected.deps, deps.storage.repos);
  services.verify.startWatching();
  try {
    console.log(`[bench] database: ${database.embedded ? 'embedded FerretDB' : 'MONGODB_URI'}; seeding ${KEY_COUNT} keys…`);
    const { valid: validKey, all: allKeys, teamId } = await seedKeys(deps, KEY_COUNT);
    // Keys the flood measurement verifies for the first time: never presented before it.
    const { all: fresh } = await seedKeys(deps, 200, teamId);
    const policy = await seedPolicyKey(deps, teamId);
    const rotation = join(dataDir, 'rotation.json');
    writeFileSync(rotation, JSON.stringify(allKeys.map((key) => JSON.stringify({ key }))));

    const app = createApp(deps, services, requestLimitsFromEnv(env));
    // The baseline: the same server, the same middleware, a handler that does nothing.
    app.post('/bench/baseline', (c) => c.json({ valid: false, code: 'BASELINE' }));
    // For reference: the same verify route with the in-process cache off (one database look-up per call).
    const uncached = createServices(connected.deps, deps.storage.repos, { verify: { cacheTtlMs: 0 } });
    app.route('/bench/uncached', verifyRoutes(deps, uncached));
    const server = await new Promise<ServerType>((resolve) => {
      const s = serve({ fetch: app.fetch, hostname: '127.0.0.1', port: 0 }, () => resolve(s));
    });
    const port = (server.address() as { port: number }).port;
    const base = `http://127.0.0.1:${port}`;

    const scenarios: { name: string; url: string; body: string; rotate?: string }[] = [
      { name: 'baseline', url: `${base}/bench/baseline`, body: JSON.stringify({ key: validKey }) },
      { name: 'verify_valid', url: `${base}/v1/keys/verify`, body: JSON.stringify({ key: validKey }) },
      { name: 'verify_malformed', url: `${base}/v1/keys/verify`, body: JSON.stringify({ key: `${validKey.slice(0, -1)}${validKey.endsWith('A') ? 'B' : 'A'}` }) },
      { name: 'verify_unknown', url: `${base}/v1/keys/verify`, body: JSON.stringify({ key: generateKey() }) },
      { name: 'verify_random_valid', url: `${base}/v1/keys/verify`, body: '', rotate: rotation },
      // Issue 24: a 10-term query against a key with 20 permissions, 2 roles and 50 CIDR ranges (cached), from an address in the last range.
      { name: 'verify_policy', url: `${base}/v1/keys/verify`, body: JSON.stringify(policy) },
      { name: 'verify_valid_uncached', url: `${base}/bench/uncached/keys/verify`, body: JSON.stringify({ key: validKey }) },
      // The same with 10,000 keys in rotation: concurrent look-ups of one key share a read, of different keys only a command.
      { name: 'verify_random_valid_uncached', url: `${base}/bench/uncached/keys/verify`, body: '', rotate: rotation },
      // Issue 23: a fresh made-up, well-formed key on every request (never cached): answered from the membership set.
      { name: 'verify_unknown_random', url: `${base}/v1/keys/verify`, body: '', rotate: join(dataDir, 'unknown.json') },
    ];
    // --- Issue 25 (rate limits and credits): its own scenarios, seeded and targeted in bench/limits-scenarios.ts. ---
    scenarios.push(...(await seedLimitScenarios(deps, base)));
    // --- end of issue 25's scenarios ---
    const samples: Record<string, { rps: number; p50: number; p99: number; errors: number; rateLimited: number }[]> = {};
    for (let round = 1; round <= ROUNDS; round++) {
      // More made-up keys than a run can send, new each round: none repeats, so none is served from the verify cache.
      writeFileSync(join(dataDir, 'unknown.json'), JSON.stringify(Array.from({ length: 80_000 }, () => JSON.stringify({ key: generateKey() }))));
      for (const s of scenarios) {
        // Each scenario starts on a settled server: the previous one's background writes (usage counts, last
        // uses) are written first. Otherwise a scenario after verify_random_valid (10,000 keys' usage) measures
        // that backlog draining through the engine's one write at a time (a flush took up to 22 s).
        await Promise.all([services.verify.flush(), services.usage.flush(), uncached.verify.flush(), uncached.usage.flush()]);
        // Async: the server under test runs on this process's event loop.
        const args = s.rotate
          ? ['--input-type=module', '-e', ROTATING_LOAD, s.url, s.rotate, String(SECONDS), String(CONNECTIONS)]
          : ['bench/load.mjs', s.url, s.body, String(SECONDS), String(CONNECTIONS)];
        const { stdout: out } = await promisify(execFile)(process.execPath, args, { encoding: 'utf8', maxBuffer: 16 * 1024 * 1024 });
        const r = JSON.parse(out.trim().split('\n').at(-1)!);
        (samples[s.name] ??= []).push(r);
        console.log(`[bench] round ${round} ${s.name.padEnd(30)} ${r.rps.toFixed(0).padStart(6)} req/s  p50 ${r.p50} ms  p99 ${r.p99} ms${r.errors ? `  errors ${r.errors}` : ''}${r.rateLimited ? `  (429: ${r.rateLimited})` : ''}`);
      }
    }
    const flood = await measureFlood(base, services, teamId, fresh, dataDir);
    console.log(`[bench] flood: ${JSON.stringify(flood)}`);
    server.close();
    await services.verify.flush();
    await Promise.all([services.usage.stop(), uncached.usage.stop()]);
    const recording = services.usage.recorder.stats();
    // Every (key, hour) a flush writes had a verify since the previous flush: at most one document per active key;
    // and one document per (key, hour) is kept, whatever the flushes and instances.
    const stored = await deps.storage.cols.usage.countDocuments({});

    const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
    const summary = Object.fromEntries(
      Object.entries(samples).map(([name, rs]) => [
        name,
        { rps: median(rs.map((r) => r.rps)), p50: median(rs.map((r) => r.p50)), p99: median(rs.map((r) => r.p99)), errors: rs.reduce((n, r) => n + r.errors, 0), rateLimited: rs.reduce((n, r) => n + r.rateLimited, 0) },
      ]),
    );
    const baseline = summary.baseline!;
    const results = Object.fromEntries(
      Object.entries(summary).map(([name, s]) => [name, { ...s, throughputRatio: +(s.rps / baseline.rps).toFixed(3), p99OverBaselineMs: +(s.p99 - baseline.p99).toFixed(2) }]),
    );
    const meets = (name: string, ratio: number, p99 = Infinity) => results[name]!.throughputRatio >= ratio && results[name]!.p99OverBaselineMs <= p99;
    const targets = {
      verify_valid: { throughputRatioAtLeast: 0.8, p99OverBaselineMsAtMost: 2, met: meets('verify_valid', 0.8, 2) },
      verify_malformed: { throughputRatioAtLeast: 0.8, met: meets('verify_malformed', 0.8) },
      verify_random_valid: { throughputRatioAtLeast: 0.8, p99OverBaselineMsAtMost: 2, met: meets('verify_random_valid', 0.8, 2) },
      verify_unknown_random: { throughputRatioAtLeast: 0.8, met: meets('verify_unknown_random', 0.8) },
      verify_valid_uncached: { throughputRatioAtLeast: 0.3, met: meets('verify_valid_uncached', 0.3) },
      verify_policy: { throughputRatioAtLeast: 0.85, met: meets('verify_policy', 0.85) },
      // Issue 25: ratios to the baseline of this run.
      ...Object.fromEntries(Object.entries(LIMIT_TARGETS).map(([name, ratio]) => [name, { throughputRatioAtLeast: ratio, met: meets(name, ratio) }])),
      usage_flush: { documentsPerFlushAtMost: 'one per active key', met: recording.maxDocumentsPerFlush <= recording.maxKeysPerFlush * 2 },
    };
    const report = {
      date: new Date().toISOString(),
      machine: { cpus: (await import('node:os')).cpus().length, node: process.version },
      database: database.embedded ? 'embedded FerretDB v1.24.2 (SQLite)' : 'MONGODB_URI',
      keys: KEY_COUNT,
      method: { rounds: ROUNDS, secondsPerRun: SECONDS, connections: CONNECTIONS, aggregate: 'median over rounds', loadGenerator: 'autocannon in a second process' },
      results,
      flood,
      usageRecording: {
        flushIntervalMs: 10_000,
        flushes: recording.flushes,
        documentsWritten: recording.documents,
        maxDocumentsPerFlush: recording.maxDocumentsPerFlush,
        maxKeysPerFlush: recording.maxKeysPerFlush,
        flushMsTotal: Math.round(recording.flushMs),
        flushMsMax: Math.round(recording.maxFlushMs),
        documentsKept: stored,
      },
      targets,
    };
    mkdirSync('bench/results', { recursive: true });
    writeFileSync('bench/results/verify.json', `${JSON.stringify(report, null, 2)}\n`);
    console.log('\n[bench] scenario                        req/s   ratio   p50   p99   p99 - baseline');
    for (const [name, r] of Object.entries(results)) {
      console.log(`[bench] ${name.padEnd(30)} ${r.rps.toFixed(0).padStart(7)}  ${r.throughputRatio.toFixed(2).padStart(5)}x  ${String(r.p50).padStart(4)}  ${String(r.p99).padStart(4)}   ${r.p99OverBaselineMs >= 0 ? '+' : ''}${r.p99OverBaselineMs} ms`);
    }
    const met = (t: { met: boolean }) => (t.met ? 'met' : 'NOT met');
    console.log(
      `[bench] targets (usage recording on): valid >= 0.8x and p99 <= baseline + 2 ms: ${met(targets.verify_valid)}; malformed >= 0.8x: ${met(targets.verify_malformed)}; random valid keys >= 0.8x and p99 <= baseline + 2 ms: ${met(targets.verify_random_valid)}`,
    );
    console.log(
      `[bench] usage flushes: ${recording.flushes}, documents written: ${recording.documents}, largest flush: ${recording.maxDocumentsPerFlush} documents for ${recording.maxKeysPerFlush} keys (${met(targets.usage_flush)}); time writing: ${Math.round(recording.flushMs)} ms in all, ${Math.round(recording.maxFlushMs)} ms at most; documents kept: ${stored}`,
    );
    console.log('[bench] wrote bench/results/verify.json');
    // A rate limit on the verify route answers 429 fast, which would pass for throughput: say so, never hide it.
    const limited = Object.entries(results).filter(([, r]) => r.rateLimited > 0);
    if (limited.length > 0) {
      console.log(`[bench] WARNING: rate-limited (429) answers in ${limited.map(([n, r]) => `${n} (${r.rateLimited})`).join(', ')}: those figures measure the limiter, not verify.`);
    }
  } finally {
    await deps.storage.database.db.dropDatabase().catch(() => {});
    await deps.storage.database.close();
    await database.stop();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

/** Inserts `count` keys of one team directly (the bench measures verify, not issuing); returns their plaintexts and one of them. */
async function seedKeys(deps: BenchDeps, count: number, teamId = newId('team')): Promise<{ valid: string; all: string[]; teamId: string }> {
  const ownerId = newId('usr');
  const now = new Date();
  let valid = '';
  const all: string[] = [];
  for (let start = 0; start < count; start += 1000) {
    const docs = [];
    for (let i = start; i < Math.min(count, start + 1000); i++) {
      const key = generateKey();
      all.push(key);
      if (i === Math.floor(count / 2)) valid = key;
      const stored = newStoredKey(key, { teamId, ownerId, name: `bench ${i}`, createdAt: now, expiresAt: null });
      docs.push({ _id: hashKey(deps.pepper, key), ...stored, nameLower: stored.name });
    }
    await deps.storage.cols.keys.insertMany(docs);
  }
  return { valid, all, teamId };
}

/**
 * The `verify_policy` key (issue 24): 20 permissions of its own, 2 roles of 5 each, 50 CIDR ranges;
 * and the verify body that asks a 10-term query of it from an address in its last range.
 */
async function seedPolicyKey(deps: BenchDeps, teamId: string): Promise<{ key: string; permissions: string; context: { ip: string } }> {
  const key = generateKey();
  const permissions = Array.from({ length: 20 }, (_, i) => `svc${i}.read`);
  const roles = ['ops', 'billing'];
  for (const name of roles) {
    await deps.storage.repos.roles.upsert(teamId, { name, permissions: Array.from({ length: 5 }, (_, i) => `${name}.p${i}`), description: '', memberAssignable: false }, new Date());
  }
  const ips = Array.from({ length: 50 }, (_, i) => `10.${i}.0.0/16`);
  const stored = newStoredKey(key, { teamId, ownerId: newId('usr'), name: 'bench policy', createdAt: new Date(), expiresAt: null });
  await deps.storage.cols.keys.insertOne({ _id: hashKey(deps.pepper, key), ...stored, nameLower: stored.name, permissions, roles, restrictions: { ips, origins: [] }, meta: { plan: 'bench' } });
  const query = 'svc0.read AND svc5.read AND (svc9.read OR nope.x) AND svc12.read AND ops.p1 AND (billing.p4 OR nope.y) AND svc19.read AND ops.p3';
  return { key, permissions: query, context: { ip: '10.49.200.7' } };
}

/**
 * The load generator for rotating bodies (bench/load.mjs sends one body): each connection sends its own
 * slice of the rotation file in turn, so no body is sent by two connections. The slices are built into
 * requests once, before the run: autocannon then writes prebuilt bytes, as it does for load.mjs's one
 * body. (Built per request, through \`setupRequest\`, the generator was the limit: against a route that
 * does nothing it sent 0.1 to 0.5 times as many requests a second as this one, on this loaded 2-core
 * machine, so the rotating scenarios measured it, not the server.) Same output line as load.mjs.
 */
const ROTATING_LOAD = `
import autocannon from 'autocannon';
import { readFileSync } from 'node:fs';
const [url, file, duration, connections] = process.argv.slice(1);
const bodies = JSON.parse(readFileSync(file, 'utf8'));
const per = Math.floor(bodies.length / Number(connections));
let clients = 0;
const result = await autocannon({
  url,
  method: 'POST',
  headers: { 'content-type': 'application/json' },
  duration: Number(duration),
  connections: Number(connections),
  setupClient: (client) => {
    const i = clients++ % Number(connections);
    client.setRequests(bodies.slice(i * per, (i + 1) * per).map((body) => ({ body })));
  },
});
console.log(JSON.stringify({ rps: result.requests.average, p50: result.latency.p50, p99: result.latency.p99, errors: result.errors + result.non2xx, rateLimited: result.statusCodeStats?.['429']?.count ?? 0, total: result.requests.total }));
`;

main().catch((err) => {
  console.error('[bench] failed:', err);
  process.exit(1);
});
