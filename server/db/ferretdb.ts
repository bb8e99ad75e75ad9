import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * Builds the embedded FerretDB launcher (tools/ferretdb) once per machine into
 * a cache outside the checkout. The cache key is a hash of the launcher's
 * sources, so a change to them rebuilds it and nothing else does.
 */
export const FERRETDB_VERSION = 'v1.24.2';

const launcherDir = resolve(dirname(fileURLToPath(import.meta.url)), '../../tools/ferretdb');

export class DatabaseUnavailableError extends Error {}

function launcherHash(): string {
  const hash = createHash('sha256');
  const sources = readdirSync(launcherDir).filter((f) => f.endsWith('.go') || f === 'go.mod' || f === 'go.sum').sort();
  for (const file of sources) hash.update(file).update(readFileSync(join(launcherDir, file)));
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
  const partial = `${binary}.partial-${process.pid}`;
  const build = (extra: string[]) =>
    spawnSync('go', ['build', ...extra, '-trimpath', '-o', partial, '.'], {
      cwd: launcherDir,
      encoding: 'utf8',
      env: { ...process.env, CGO_ENABLED: '0', GOFLAGS: '-mod=mod' },
    });
  let result = build([]);
  // Newer Go toolchains refuse some linkname tricks in older dependencies.
  if (result.status !== 0) result = build(['-ldflags=-checklinkname=0']);
  if (result.status !== 0) {
    throw new DatabaseUnavailableError(`Building FerretDB failed:\n${result.stderr}\nSet MONGODB_URI to use an existing MongoDB instead.`);
  }
  renameSync(partial, binary);
  log(`FerretDB built: ${binary}`);
  return binary;
}
