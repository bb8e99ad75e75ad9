import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { chmodSync, copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { applyUnifiedDiff } from './unified-diff';

/**
 * Builds the embedded FerretDB launcher (tools/ferretdb) once per machine into
 * a cache outside the checkout. The cache key is a hash of the launcher's
 * sources and patches, so a change to them rebuilds it and nothing else does.
 *
 * FerretDB itself is built from a patched copy: its module (as the Go module
 * proxy serves it) is copied out of the module cache into a scratch folder
 * beside the binary, every `tools/ferretdb/*.patch` is applied to it (in Node:
 * `patch` may not be installed), and a copy of the launcher whose go.mod
 * `replace`s FerretDB with that folder is built. `go build -overlay` would be
 * simpler but refuses files in the module cache.
 */
export const FERRETDB_VERSION = 'v1.24.2';
const FERRETDB_MODULE = 'github.com/FerretDB/FerretDB';

const launcherDir = resolve(dirname(fileURLToPath(import.meta.url)), '../../tools/ferretdb');

export class DatabaseUnavailableError extends Error {}

const isBuildInput = (f: string) => f.endsWith('.go') || f.endsWith('.patch') || f === 'go.mod' || f === 'go.sum';

/** The build cache key: every file that goes into the build (sources, go.mod/go.sum, patches), and nothing else. */
export function launcherHash(dir = launcherDir): string {
  const hash = createHash('sha256');
  for (const file of readdirSync(dir).filter(isBuildInput).sort()) hash.update(file).update(readFileSync(join(dir, file)));
  return hash.digest('hex').slice(0, 16);
}

export function ferretdbBinaryPath(): string {
  const cacheRoot = process.env.XDG_CACHE_HOME || join(homedir(), '.cache');
  return join(cacheRoot, 'keywarden', `ferretdb-${FERRETDB_VERSION}`, launcherHash(), 'ferretdb');
}

export function ensureFerretdbBinary(log: (line: string) => void = console.log): string {
  const binary = ferretdbBinaryPath();
  if (existsSync(binary)) return binary;

  const go = spawnSync('go', ['version'], { encoding: 'utf8' });
  if (go.error || go.status !== 0) {
    throw new DatabaseUnavailableError(
      'No database: MONGODB_URI is not set and Go is not installed to build the embedded FerretDB.\n' +
        '  Either set MONGODB_URI=mongodb://… to use your MongoDB,\n' +
        '  or install Go (https://go.dev/dl/, or `apt-get install golang`) so Keywarden can build FerretDB once.',
    );
  }

  log(`Building the embedded FerretDB ${FERRETDB_VERSION} (once per machine; this takes a minute or two)…`);
  mkdirSync(dirname(binary), { recursive: true });
  // Each build works in a folder of its own: two processes may build at once, and the first rename wins.
  const work = mkdtempSync(join(dirname(binary), 'build-'));
  const partial = `${binary}.partial-${process.pid}`;
  try {
    const launcher = preparePatchedSources(work);
    const build = (extra: string[]) =>
      spawnSync('go', ['build', ...extra, '-trimpath', '-o', partial, '.'], { cwd: launcher, encoding: 'utf8', env: goEnv() });
    let result = build([]);
    // Newer Go toolchains refuse some linkname tricks in older dependencies.
    if (result.status !== 0) result = build(['-ldflags=-checklinkname=0']);
    if (result.status !== 0) {
      throw new DatabaseUnavailableError(`Building FerretDB failed:\n${result.stderr}\nSet MONGODB_URI to use an existing MongoDB instead.`);
    }
    renameSync(partial, binary);
  } finally {
    rmSync(work, { recursive: true, force: true });
    rmSync(partial, { force: true });
  }
  log(`FerretDB built: ${binary}`);
  return binary;
}

const goEnv = () => ({ ...process.env, CGO_ENABLED: '0', GOFLAGS: '-mod=mod' });

/** Lays out `work/ferretdb` (the patched module) and `work/launcher` (pointing at it); returns the launcher folder. */
function preparePatchedSources(work: string): string {
  const download = spawnSync('go', ['mod', 'download', '-json', `${FERRETDB_MODULE}@${FERRETDB_VERSION}`], { cwd: launcherDir, encoding: 'utf8', env: goEnv() });
  let moduleDir: string | undefined;
  try {
    moduleDir = (JSON.parse(download.stdout) as { Dir?: string }).Dir;
  } catch {
    // Reported below with go's own message.
  }
  if (download.status !== 0 || !moduleDir) {
    throw new DatabaseUnavailableError(`Downloading FerretDB ${FERRETDB_VERSION} failed:\n${download.stdout}${download.stderr}`);
  }

  const ferretdb = join(work, 'ferretdb');
  copyWritable(moduleDir, ferretdb);
  for (const patch of readdirSync(launcherDir).filter((f) => f.endsWith('.patch')).sort()) {
    try {
      applyUnifiedDiff(ferretdb, readFileSync(join(launcherDir, patch), 'utf8'));
    } catch (err) {
      throw new DatabaseUnavailableError(`tools/ferretdb/${patch} does not apply to FerretDB ${FERRETDB_VERSION}: ${(err as Error).message}`);
    }
  }

  const launcher = join(work, 'launcher');
  mkdirSync(launcher);
  for (const file of readdirSync(launcherDir).filter((f) => f.endsWith('.go') || f === 'go.mod' || f === 'go.sum')) {
    copyFileSync(join(launcherDir, file), join(launcher, file));
  }
  const goMod = readFileSync(join(launcher, 'go.mod'), 'utf8');
  writeFileSync(join(launcher, 'go.mod'), `${goMod}\nreplace ${FERRETDB_MODULE} ${FERRETDB_VERSION} => ../ferretdb\n`);
  return launcher;
}

/** The module cache is read-only: the copy is made writable so it can be patched and removed. */
function copyWritable(from: string, to: string): void {
  mkdirSync(to, { recursive: true });
  chmodSync(to, 0o700);
  for (const entry of readdirSync(from, { withFileTypes: true })) {
    const src = join(from, entry.name);
    const dst = join(to, entry.name);
    if (entry.isDirectory()) copyWritable(src, dst);
    else if (entry.isFile()) {
      copyFileSync(src, dst);
      chmodSync(dst, 0o600);
    }
  }
}
