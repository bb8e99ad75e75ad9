import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { inject } from 'vitest';

/** Starts `server/main.ts` as `npm start` does, on its own data dir and port. */
function startMain(env: Record<string, string>) {
  const dataDir = mkdtempSync(join(tmpdir(), 'keywarden-main-'));
  const port = String(20000 + Math.floor(Math.random() * 20000));
  const child = spawn(process.execPath, ['--import', 'tsx', 'server/main.ts'], {
    env: { ...process.env, MONGODB_URI: '', DATA_DIR: dataDir, PORT: port, KEYWARDEN_SEED_DEMO: 'true', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout!.on('data', (d) => (output += d));
  child.stderr!.on('data', (d) => (output += d));
  const ready = new Promise<void>((resolve, reject) => {
    const timer = setInterval(() => {
      if (output.includes('listening on')) {
        clearInterval(timer);
        resolve();
      }
    }, 50);
    child.once('exit', (code) => {
      clearInterval(timer);
      reject(new Error(`server exited early (${code}):\n${output}`));
    });
  });
  return { child, dataDir, url: `http://127.0.0.1:${port}`, ready, output: () => output };
}

const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

async function waitUntil(check: () => boolean, ms = 30_000) {
  const deadline = Date.now() + ms;
  while (!check()) {
    if (Date.now() > deadline) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 50));
  }
}

const started: { child: ChildProcess; dataDir: string }[] = [];
afterEach(() => {
  for (const s of started.splice(0)) {
    s.child.kill('SIGKILL');
    rmSync(s.dataDir, { recursive: true, force: true });
  }
});

describe('the embedded database runner', () => {
  it('serves /health from FerretDB and leaves no database process after Ctrl-C', async () => {
    const s = startMain({});
    started.push(s);
    await s.ready;
    const res = await fetch(`${s.url}/health`);
    expect(await res.json()).toEqual({ ok: true, db: 'ok' });
    expect(s.output()).toMatch(/seeded a demo team/);
    const { pid } = JSON.parse(readFileSync(join(s.dataDir, 'ferretdb.json'), 'utf8'));
    expect(alive(pid)).toBe(true);
    s.child.kill('SIGINT');
    await waitUntil(() => s.child.exitCode !== null);
    expect(s.child.exitCode).toBe(0);
    await waitUntil(() => !alive(pid));
    expect(existsSync(join(s.dataDir, 'ferretdb.json'))).toBe(false);
  });

  it('npm start: builds the extension, says what to do next, and Ctrl-C leaves nothing running', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'keywarden-start-'));
    const port = String(20000 + Math.floor(Math.random() * 20000));
    // Its own process group, like a terminal's foreground job: Ctrl-C goes to the whole group.
    const child = spawn(process.execPath, ['scripts/start.mjs'], {
      env: { ...process.env, MONGODB_URI: '', DATA_DIR: dataDir, PORT: port, KEYWARDEN_SEED_DEMO: 'false', EXTENSION_OUT_DIR: join(dataDir, 'ext') },
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: true,
    });
    started.push({ child, dataDir });
    let output = '';
    child.stdout!.on('data', (d) => (output += d));
    child.stderr!.on('data', (d) => (output += d));
    await waitUntil(() => output.includes('Next steps'), 120_000);
    expect(output).toContain(`Load unpacked" -> ${join(dataDir, 'ext', 'chrome-mv3')}`);
    expect(readFileSync(join(dataDir, 'ext', 'chrome-mv3', 'manifest.json'), 'utf8')).toContain('"manifest_version":3');
    expect(output).toContain(`listening on http://127.0.0.1:${port}`);
    expect(await (await fetch(`http://127.0.0.1:${port}/health`)).json()).toEqual({ ok: true, db: 'ok' });
    const { pid } = JSON.parse(readFileSync(join(dataDir, 'ferretdb.json'), 'utf8'));
    process.kill(-child.pid!, 'SIGINT');
    await waitUntil(() => child.exitCode !== null || child.signalCode !== null, 30_000);
    expect(child.exitCode).toBe(0);
    await waitUntil(() => !alive(pid));
  }, 180_000);

  it('says both ways out when Go is missing and no MONGODB_URI is set', async () => {
    const s = startMain({ PATH: '/usr/bin:/bin', XDG_CACHE_HOME: mkdtempSync(join(tmpdir(), 'keywarden-nocache-')) });
    started.push(s);
    await expect(s.ready).rejects.toThrow(/set MONGODB_URI=mongodb:\/\/[\s\S]*install Go/);
  });

  it('leaves no database process when the server crashes (SIGKILL)', async () => {
    const s = startMain({});
    started.push(s);
    await s.ready;
    const { pid } = JSON.parse(readFileSync(join(s.dataDir, 'ferretdb.json'), 'utf8'));
    s.child.kill('SIGKILL');
    await waitUntil(() => !alive(pid));
  });

  it('leaves no database process when the server crashes after restarting its database', async () => {
    const s = startMain({});
    started.push(s);
    await s.ready;
    const state = () => JSON.parse(readFileSync(join(s.dataDir, 'ferretdb.json'), 'utf8')) as { pid: number };
    const killed = state().pid;
    process.kill(killed, 'SIGKILL');
    await waitUntil(() => state().pid !== killed, 30_000);
    const restarted = state().pid;
    expect(alive(restarted)).toBe(true);
    await waitUntil(() => s.output().includes('the embedded FerretDB is back'), 30_000);
    s.child.kill('SIGKILL');
    await waitUntil(() => !alive(restarted), 30_000);
  });
});

describe('with MONGODB_URI', () => {
  it('starts no embedded database', async () => {
    const s = startMain({ MONGODB_URI: inject('mongoUri'), MONGODB_DB: `kwt_main_${Date.now()}`, KEYWARDEN_PEPPER: 'x'.repeat(40) });
    started.push(s);
    await s.ready;
    expect(await (await fetch(`${s.url}/health`)).json()).toEqual({ ok: true, db: 'ok' });
    expect(existsSync(join(s.dataDir, 'ferretdb.json'))).toBe(false);
    expect(s.output()).toMatch(/database: MONGODB_URI/);
    s.child.kill('SIGTERM');
    await waitUntil(() => s.child.exitCode !== null);
  });

  it('refuses to start with a bad variable and names it', async () => {
    const s = startMain({ PORT: 'nope' });
    started.push(s);
    await expect(s.ready).rejects.toThrow(/PORT/);
  });
});
