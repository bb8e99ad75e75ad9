import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join, resolve } from 'node:path';
import { MongoClient } from 'mongodb';
import { DatabaseUnavailableError, ensureFerretdbBinary } from './ferretdb';

/**
 * The one database runner behind `npm start`, the CLI and the tests.
 * With a MONGODB_URI it starts nothing. Otherwise it runs the embedded FerretDB
 * (SQLite backend) on a free loopback port with its files under `dataDir`, and
 * records the address in `dataDir/ferretdb.json` so a second process (the CLI)
 * uses the running database instead of opening the same files twice.
 */
export interface RunningDatabase {
  uri: string;
  embedded: boolean;
  /** Whether this process started the server (and so stops it). */
  owned: boolean;
  stop(): Promise<void>;
}

export interface StartDatabaseOptions {
  mongodbUri?: string;
  dataDir: string;
  /** Reuse an embedded server another process already runs on this data dir. */
  reuseRunning?: boolean;
  log?: (line: string) => void;
}

export async function startDatabase(options: StartDatabaseOptions): Promise<RunningDatabase> {
  if (options.mongodbUri) {
    return { uri: options.mongodbUri, embedded: false, owned: false, stop: async () => {} };
  }
  const dataDir = resolve(options.dataDir);
  const stateFile = join(dataDir, 'ferretdb.json');
  if (options.reuseRunning !== false) {
    const running = await findRunning(stateFile);
    if (running) return { uri: running, embedded: true, owned: false, stop: async () => {} };
  }
  return startFerretdb(dataDir, stateFile, options.log ?? console.log);
}

async function findRunning(stateFile: string): Promise<string | null> {
  if (!existsSync(stateFile)) return null;
  try {
    const { uri, pid } = JSON.parse(readFileSync(stateFile, 'utf8')) as { uri: string; pid: number };
    process.kill(pid, 0);
    return (await ping(uri, 1000)) ? uri : null;
  } catch {
    return null;
  }
}

async function startFerretdb(dataDir: string, stateFile: string, log: (line: string) => void): Promise<RunningDatabase> {
  const binary = ensureFerretdbBinary(log);
  mkdirSync(join(dataDir, 'ferretdb'), { recursive: true });
  const port = await freePort();
  const uri = `mongodb://127.0.0.1:${port}/`;
  // stdin stays a pipe: the launcher exits when it closes, so even a SIGKILLed
  // parent leaves no database server behind. Its own process group keeps a
  // terminal's Ctrl-C from stopping it before the server has shut down cleanly.
  const child = spawn(binary, ['-listen', `127.0.0.1:${port}`, '-dir', join(dataDir, 'ferretdb')], {
    stdio: ['pipe', 'ignore', 'pipe'],
    detached: true,
  });
  const stderr: string[] = [];
  child.stderr?.setEncoding('utf8').on('data', (chunk: string) => {
    stderr.push(chunk);
    if (stderr.length > 50) stderr.shift();
  });
  let exited = false;
  child.once('exit', () => {
    exited = true;
  });
  const killOnExit = () => child.kill('SIGKILL');
  process.once('exit', killOnExit);

  const deadline = Date.now() + 30_000;
  while (!(await ping(uri, 500))) {
    if (exited || Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new DatabaseUnavailableError(`The embedded FerretDB did not start:\n${stderr.join('')}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  writeFileSync(stateFile, JSON.stringify({ uri, pid: child.pid }));

  return {
    uri,
    embedded: true,
    owned: true,
    stop: () => stopChild(child, stateFile, killOnExit),
  };
}

async function stopChild(child: ChildProcess, stateFile: string, killOnExit: () => void): Promise<void> {
  process.off('exit', killOnExit);
  rmSync(stateFile, { force: true });
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  child.stdin?.end();
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
  await exited;
  clearTimeout(timer);
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

function freePort(): Promise<number> {
  return new Promise((resolvePort, reject) => {
    const server = createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address ? resolvePort(address.port) : reject(new Error('no port'))));
    });
  });
}
