import { existsSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { MongoClient } from 'mongodb';
import { chooseSocketPath, isSocketTempDir, makeDataDirPrivate, socketUri, tightenDataDir } from './data-dir';
import { ensureFerretdbBinary } from './ferretdb';
import { superviseLauncher, type Backoff } from './ferretdb-process';

/**
 * The one database runner behind `npm start`, the CLI and the tests.
 * With a MONGODB_URI it starts nothing. Otherwise it runs the embedded FerretDB
 * (SQLite backend) with its files under `dataDir`, on a Unix socket that only
 * this user can reach (no TCP port), restarts it if it dies, and records the
 * address in `dataDir/ferretdb.json` so a second process (the CLI) uses the
 * running database instead of opening the same files twice.
 */
export interface RunningDatabase {
  uri: string;
  embedded: boolean;
  stop(): Promise<void>;
}

export interface StartDatabaseOptions {
  mongodbUri?: string;
  dataDir: string;
  /** Reuse an embedded server another process already runs on this data dir. */
  reuseRunning?: boolean;
  log?: (line: string) => void;
  /** Delays between restarts of a FerretDB that died (default 100 ms doubling to 5 s). */
  restartBackoff?: Backoff;
}

/** What `ferretdb.json` records: the address, the database's pid, and the process that supervises it. */
interface RunnerState {
  uri: string;
  pid: number;
  supervisor?: number;
  /** The temp folder of the socket when DATA_DIR's socket path was too long. */
  socketDir?: string;
}

/** How long a second process waits for a database whose supervisor is alive (it may be restarting it). */
const REUSE_WAIT_MS = 30_000;

export async function startDatabase(options: StartDatabaseOptions): Promise<RunningDatabase> {
  const dataDir = resolve(options.dataDir);
  if (options.mongodbUri) {
    // No database here, but DATA_DIR may hold dev mail an older version left readable by others.
    if (existsSync(dataDir)) tightenDataDir(dataDir);
    return { uri: options.mongodbUri, embedded: false, stop: async () => {} };
  }
  makeDataDirPrivate(dataDir);
  const stateFile = join(dataDir, 'ferretdb.json');
  if (options.reuseRunning !== false) {
    const running = await findRunning(stateFile);
    if (running) return { uri: running, embedded: true, stop: async () => {} };
  }
  return startFerretdb(dataDir, stateFile, options);
}

async function findRunning(stateFile: string): Promise<string | null> {
  const state = readState(stateFile);
  if (!state) return null;
  const waitMs = alive(state.supervisor) ? REUSE_WAIT_MS : alive(state.pid) ? 1000 : 0;
  if (waitMs && (await ping(state.uri, waitMs))) return state.uri;
  if (!alive(state.supervisor) && !alive(state.pid) && state.socketDir && isSocketTempDir(state.socketDir)) {
    rmSync(state.socketDir, { recursive: true, force: true });
  }
  return null;
}

async function startFerretdb(dataDir: string, stateFile: string, options: StartDatabaseOptions): Promise<RunningDatabase> {
  const log = options.log ?? console.log;
  const binary = ensureFerretdbBinary(log);
  const socket = chooseSocketPath(dataDir);
  const uri = socketUri(socket.path);
  const removeSocketDir = () => {
    if (socket.tempDir) rmSync(socket.tempDir, { recursive: true, force: true });
  };
  const record = (pid: number) =>
    writeState(stateFile, { uri, pid, supervisor: process.pid, ...(socket.tempDir ? { socketDir: socket.tempDir } : {}) });

  let launcher;
  try {
    launcher = await superviseLauncher({
      binary,
      args: ['-socket', socket.path, '-dir', join(dataDir, 'ferretdb')],
      log,
      backoff: options.restartBackoff,
      onReady: record,
    });
  } catch (err) {
    removeSocketDir();
    throw err;
  }

  let stopping: Promise<void> | null = null;
  return {
    uri,
    embedded: true,
    stop: () =>
      (stopping ??= (async () => {
        rmSync(stateFile, { force: true });
        await launcher.stop();
        removeSocketDir();
      })()),
  };
}

function readState(stateFile: string): RunnerState | null {
  try {
    return JSON.parse(readFileSync(stateFile, 'utf8')) as RunnerState;
  } catch {
    return null;
  }
}

/** Written whole or not at all: the CLI may read it at any moment. */
function writeState(stateFile: string, state: RunnerState): void {
  const partial = `${stateFile}.${process.pid}.tmp`;
  writeFileSync(partial, JSON.stringify(state), { mode: 0o600 });
  renameSync(partial, stateFile);
}

function alive(pid: number | undefined): boolean {
  if (!pid) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

export async function ping(uri: string, timeoutMs: number): Promise<boolean> {
  const client = new MongoClient(uri, { serverSelectionTimeoutMS: timeoutMs, connectTimeoutMS: timeoutMs });
  try {
    await client.connect();
    await client.db('admin').command({ ping: 1 });
    return true;
  } catch {
    return false;
  } finally {
    await client.close().catch(() => {});
  }
}
