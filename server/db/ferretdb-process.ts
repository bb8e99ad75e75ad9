import { spawn, type ChildProcess } from 'node:child_process';
import { DatabaseUnavailableError } from './ferretdb';

/**
 * Keeps the embedded FerretDB launcher running: if it exits while nobody asked
 * it to, it is started again on the same arguments (so on the same socket, and
 * the server's MongoClient reconnects by itself), after 100 ms, then doubling
 * up to 5 s while restarts fail. An outage is logged once when it starts and
 * once when it ends, never per retry.
 */
export interface Backoff {
  firstMs: number;
  maxMs: number;
}

export const DEFAULT_BACKOFF: Backoff = { firstMs: 100, maxMs: 5000 };

/** A child that stayed up this long was healthy: its next crash starts the backoff afresh. */
const STABLE_MS = 10_000;
const START_TIMEOUT_MS = 30_000;

export interface SupervisedLauncher {
  /** Stops the launcher and any pending restart; leaves no process behind. */
  stop(): Promise<void>;
}

export interface SuperviseOptions {
  binary: string;
  args: string[];
  log: (line: string) => void;
  backoff?: Backoff;
  /** Called with the pid each time a launcher is ready, the first one included. */
  onReady: (pid: number) => void;
}

/** Starts the launcher and resolves once it serves; rejects (leaving nothing running) if it cannot start. */
export async function superviseLauncher(options: SuperviseOptions): Promise<SupervisedLauncher> {
  const backoff = options.backoff ?? DEFAULT_BACKOFF;
  let child: ChildProcess | null = null;
  let stopping = false;
  let timer: NodeJS.Timeout | null = null;
  let delay = backoff.firstMs;
  let outage: { since: number; attempts: number } | null = null;

  const killOnExit = () => child?.kill('SIGKILL');
  process.on('exit', killOnExit);

  /** One launcher process; resolves with its pid when it prints "ready", rejects if it exits first. */
  const launch = () =>
    new Promise<number>((resolve, reject) => {
      // stdin stays a pipe: the launcher exits when it closes, so even a SIGKILLed
      // parent leaves no database server behind. Its own process group keeps a
      // terminal's Ctrl-C from stopping it before the server has shut down cleanly.
      const c = spawn(options.binary, options.args, { stdio: ['pipe', 'pipe', 'pipe'], detached: true });
      child = c;
      const stderr: string[] = [];
      let readyAt = 0;
      let ended = false;
      c.stdin?.on('error', () => {});
      c.stderr?.setEncoding('utf8').on('data', (chunk: string) => {
        stderr.push(chunk);
        if (stderr.length > 50) stderr.shift();
      });
      c.stdout?.setEncoding('utf8').on('data', (chunk: string) => {
        if (readyAt || !chunk.includes('ready')) return;
        readyAt = Date.now();
        clearTimeout(startTimer);
        resolve(c.pid!);
      });
      const startTimer = setTimeout(() => c.kill('SIGKILL'), START_TIMEOUT_MS);
      const onEnd = (why: string) => {
        if (ended) return;
        ended = true;
        clearTimeout(startTimer);
        if (child === c) child = null;
        if (!readyAt) reject(new DatabaseUnavailableError(`The embedded FerretDB did not start (${why}):\n${stderr.join('')}`));
        else crashed(why, stderr.join('').trim(), Date.now() - readyAt);
      };
      c.once('error', (err) => onEnd(err.message));
      c.once('exit', (code, signal) => onEnd(signal ? `signal ${signal}` : `exit code ${code}`));
    });

  const crashed = (why: string, stderr: string, upMs: number) => {
    if (stopping) return;
    if (upMs >= STABLE_MS) delay = backoff.firstMs;
    if (!outage) {
      outage = { since: Date.now(), attempts: 0 };
      // A signal (kill -9, the OOM killer) leaves nothing worth quoting; an exit code follows an error message.
      const tail = stderr && why.startsWith('exit') ? `; its last words:\n${stderr.split('\n').slice(-5).join('\n')}` : '';
      options.log(`[database] the embedded FerretDB stopped unexpectedly (${why}); restarting it on the same data${tail}`);
    }
    scheduleRestart();
  };

  const scheduleRestart = () => {
    if (stopping) return;
    const wait = delay;
    delay = Math.min(delay * 2, backoff.maxMs);
    timer = setTimeout(() => {
      timer = null;
      if (stopping) return;
      outage!.attempts++;
      launch().then(
        (pid) => {
          if (stopping) return;
          const { since, attempts } = outage!;
          outage = null;
          options.log(`[database] the embedded FerretDB is back (${attempts} restart attempt${attempts === 1 ? '' : 's'}, ${((Date.now() - since) / 1000).toFixed(1)} s)`);
          options.onReady(pid);
        },
        () => scheduleRestart(),
      );
    }, wait);
  };

  const stop = async () => {
    stopping = true;
    if (timer) clearTimeout(timer);
    timer = null;
    const c = child;
    if (c && c.exitCode === null && c.signalCode === null) {
      const exited = new Promise<void>((r) => c.once('exit', () => r()));
      c.stdin?.end();
      c.kill('SIGTERM');
      const force = setTimeout(() => c.kill('SIGKILL'), 5000);
      await exited;
      clearTimeout(force);
    }
    process.off('exit', killOnExit);
  };

  try {
    options.onReady(await launch());
  } catch (err) {
    await stop();
    throw err;
  }
  return { stop };
}
