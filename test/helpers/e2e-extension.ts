import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { TestProject } from 'vitest/node';

/**
 * The extension the end-to-end tests load: a test build (WXT_E2E_HOOK=1 gives the service worker
 * the `keywarden` handle the tests drive over CDP) in a folder of its own, so the bundle that
 * `npm run build:ext` makes, and that ships, never has the handle.
 *
 * The e2e project's global setup builds it once per version of the sources, into a folder named by
 * their hash: a run that starts after a source changed gets a new build and never replaces the one
 * a run still going has loaded. A lock keeps two runs from building the same version at once.
 */
const ROOT = resolve('.output/e2e');
const SOURCES = ['extension', 'shared', 'wxt.config.ts', 'package.json'];
/** A lock this old was left by a build that died; a build folder this old is no run's any more. */
const STALE_MS = 10 * 60_000;
const KEEP_MS = 6 * 60 * 60_000;

function files(path: string): string[] {
  if (!statSync(path).isDirectory()) return [path];
  return readdirSync(path)
    .sort()
    .flatMap((name) => files(join(path, name)));
}

function sourceHash(): string {
  const hash = createHash('sha256');
  for (const file of SOURCES.flatMap((s) => files(resolve(s)))) hash.update(file).update('\0').update(readFileSync(file)).update('\0');
  return hash.digest('hex').slice(0, 16);
}

function takeLock(lock: string): boolean {
  try {
    mkdirSync(lock);
    return true;
  } catch {
    if (Date.now() - statSync(lock).mtimeMs > STALE_MS) rmSync(lock, { recursive: true, force: true });
    return false;
  }
}

/** Builds the test bundle of the current sources unless it is there; answers its chrome-mv3 folder. */
export async function ensureE2eBuild(): Promise<string> {
  mkdirSync(ROOT, { recursive: true });
  const outDir = join(ROOT, sourceHash());
  const dir = join(outDir, 'chrome-mv3');
  const lock = `${outDir}.lock`;
  const deadline = Date.now() + 2 * STALE_MS;
  while (!existsSync(join(dir, 'manifest.json'))) {
    if (!takeLock(lock)) {
      if (Date.now() > deadline) throw new Error(`another run has held ${lock} too long`);
      await new Promise((r) => setTimeout(r, 1_000));
      continue;
    }
    try {
      // The manifest is written last: a folder without it is a build that died half-way.
      rmSync(outDir, { recursive: true, force: true });
      const build = spawnSync('npx', ['wxt', 'build'], { encoding: 'utf8', env: { ...process.env, WXT_E2E_HOOK: '1', EXTENSION_OUT_DIR: outDir } });
      if (build.status !== 0) throw new Error(`the e2e build of the extension failed (exit ${build.status ?? build.signal}):\n${build.stdout}\n${build.stderr}`);
    } finally {
      rmSync(lock, { recursive: true, force: true });
    }
  }
  for (const old of readdirSync(ROOT)) {
    const path = join(ROOT, old);
    if (path !== outDir && !old.endsWith('.lock') && Date.now() - statSync(path).mtimeMs > KEEP_MS) rmSync(path, { recursive: true, force: true });
  }
  return dir;
}

export default async function setup(project: TestProject) {
  project.provide('e2eExtensionDir', await ensureE2eBuild());
}

declare module 'vitest' {
  export interface ProvidedContext {
    e2eExtensionDir: string;
  }
}
