import { mkdtempSync, readdirSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { silentLogger, type Logger } from '../../server/deps';
import { parseEnv } from '../../server/env';
import { startDatabase } from '../../server/db/runner';
import { startKeywarden } from '../../server/runtime';
import { sessionFor, trpcClient } from '../helpers/harness';

const dirs: string[] = [];
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));
const freshDataDir = () => {
  const dir = mkdtempSync(join(tmpdir(), 'keywarden-heal-'));
  dirs.push(dir);
  return dir;
};

const state = (dataDir: string) => JSON.parse(readFileSync(join(dataDir, 'ferretdb.json'), 'utf8')) as { uri: string; pid: number };
const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};
/** Pids of every process whose command line names `dataDir` (a launcher serving it). */
const processesOn = (dataDir: string) =>
  readdirSync('/proc')
    .filter((p) => /^\d+$/.test(p))
    .filter((p) => {
      try {
        return readFileSync(`/proc/${p}/cmdline`, 'utf8').includes(dataDir);
      } catch {
        return false;
      }
    });
const healthStatus = (url: string) => fetch(`${url}/health`).then((r) => r.status);
const POLL = { timeout: 30_000, interval: 100 };

/**
 * Takes the socket path as a server that accepts and never answers, as if
 * another database were there: each launcher the runner starts sees it, refuses
 * to start, and closes its probe without sending a byte (the server's driver,
 * by contrast, sends a hello), so `probes` counts restart attempts. Without a
 * server, every connection is a launcher's.
 */
async function occupySocket(socketPath: string) {
  renameSync(socketPath, `${socketPath}.killed`);
  let probes = 0;
  let connections = 0;
  const server: Server = createServer((conn) => {
    connections++;
    let bytes = 0;
    conn.on('data', (d) => (bytes += d.length));
    conn.on('error', () => {});
    conn.on('close', () => bytes === 0 && probes++);
  });
  await new Promise<void>((resolve) => server.listen(socketPath, resolve));
  return {
    probes: () => probes,
    connections: () => connections,
    release: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

function recordingLogger() {
  const lines: string[] = [];
  const log: Logger = { ...silentLogger, info: (line) => lines.push(line), error: (line) => lines.push(line) };
  return { log, lines, count: (re: RegExp) => lines.filter((l) => re.test(l)).length };
}

describe('the self-healing embedded database', () => {
  it('restarts a FerretDB killed with -9, and the server answers /health and tRPC again by itself', async () => {
    const dataDir = freshDataDir();
    const logger = recordingLogger();
    const keywarden = await startKeywarden(parseEnv({ DATA_DIR: dataDir, PORT: '0', KEYWARDEN_SEED_DEMO: 'false' }), { log: logger.log, jobs: false });
    let restartedPid = 0;
    try {
      const { teamId, userId } = await keywarden.services.teams.createTeamWithAdmin({ teamName: 'Heal', adminEmail: 'heal@example.test' });
      const api = trpcClient(keywarden.url, await sessionFor(keywarden, userId));
      expect((await api.keys.create.mutate({ teamId, name: 'before' })).key).toMatch(/^kw_/);

      const killed = state(dataDir).pid;
      process.kill(killed, 'SIGKILL');
      await expect.poll(() => alive(killed), POLL).toBe(false);
      await expect.poll(() => state(dataDir).pid, POLL).not.toBe(killed);
      restartedPid = state(dataDir).pid;
      expect(alive(restartedPid)).toBe(true);

      await expect.poll(() => healthStatus(keywarden.url), POLL).toBe(200);
      await expect.poll(() => api.keys.create.mutate({ teamId, name: 'after' }).then((r) => r.key.slice(0, 3), (e) => String(e)), POLL).toBe('kw_');
      const names = (await api.keys.mine.query({ teamId })).items.map((k) => k.name);
      expect(new Set(names)).toEqual(new Set(['after', 'before']));
      expect(logger.count(/stopped unexpectedly \(signal SIGKILL\)/)).toBe(1);
      expect(logger.count(/is back/)).toBe(1);
    } finally {
      await keywarden.stop();
    }
    // stop() after a restart: the restarted launcher is gone, and no other one serves the data.
    await expect.poll(() => alive(restartedPid), POLL).toBe(false);
    expect(processesOn(dataDir)).toEqual([]);
  });

  it('answers 503 while restarts fail, logs the outage once, and is healthy again when one succeeds', async () => {
    const dataDir = freshDataDir();
    const logger = recordingLogger();
    const database = await startDatabase({ dataDir, reuseRunning: false, log: logger.log.info, restartBackoff: { firstMs: 200, maxMs: 800 } });
    const keywarden = await startKeywarden(parseEnv({ DATA_DIR: dataDir, PORT: '0', KEYWARDEN_SEED_DEMO: 'false' }), { log: silentLogger, database, jobs: false });
    try {
      expect(await healthStatus(keywarden.url)).toBe(200);
      const occupied = await occupySocket(join(dataDir, 'ferretdb.sock'));
      process.kill(state(dataDir).pid, 'SIGKILL');
      await expect.poll(occupied.probes, POLL).toBeGreaterThanOrEqual(3);
      expect(await healthStatus(keywarden.url)).toBe(503);
      await occupied.release();

      await expect.poll(() => healthStatus(keywarden.url), POLL).toBe(200);
      expect(logger.count(/stopped unexpectedly/)).toBe(1);
      expect(logger.lines.filter((l) => /is back/.test(l))).toEqual([expect.stringMatching(/is back \(([3-9]|\d\d+) restart attempts/)]);
    } finally {
      await keywarden.stop();
    }
    expect(processesOn(dataDir)).toEqual([]);
  });

  it('stops its restart loop on stop()', async () => {
    const dataDir = freshDataDir();
    const database = await startDatabase({ dataDir, reuseRunning: false, log: () => {}, restartBackoff: { firstMs: 100, maxMs: 200 } });
    const occupied = await occupySocket(join(dataDir, 'ferretdb.sock'));
    try {
      process.kill(state(dataDir).pid, 'SIGKILL');
      await expect.poll(occupied.connections, POLL).toBeGreaterThanOrEqual(2);
      await database.stop();
      const attemptsAtStop = occupied.connections();
      // Absence can only be watched for a while: five times the longest backoff, with no restart attempt.
      const until = Date.now() + 1000;
      while (Date.now() < until) {
        expect(processesOn(dataDir)).toEqual([]);
        await new Promise((r) => setTimeout(r, 50));
      }
      expect(occupied.connections()).toBe(attemptsAtStop);
    } finally {
      await occupied.release();
    }
  });
});
