import { chmodSync, lstatSync, mkdirSync, mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, join } from 'node:path';

/**
 * DATA_DIR holds the pepper, sign-in codes in dev mail and the embedded
 * database's files, so only the user who runs Keywarden may read it: the folder
 * and its subfolders are 0700, every file 0600.
 */
export const SOCKET_NAME = 'ferretdb.sock';

/**
 * What Keywarden keeps in DATA_DIR. Only these are tightened recursively: a
 * DATA_DIR set to a folder with other content (say, a home directory) must not
 * have the modes of files that are not Keywarden's changed.
 */
const OWN_ENTRIES = ['ferretdb', 'mail', 'pepper', 'ferretdb.json', SOCKET_NAME];

/** Creates DATA_DIR 0700, or tightens one an older version left readable by others. */
export function makeDataDirPrivate(dataDir: string): void {
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  tightenDataDir(dataDir);
}

export function tightenDataDir(dataDir: string): void {
  tighten(dataDir, false);
  for (const entry of OWN_ENTRIES) tighten(join(dataDir, entry), true);
}

function tighten(path: string, recursive: boolean): void {
  let stat;
  try {
    stat = lstatSync(path);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return;
    throw err;
  }
  if (stat.isSymbolicLink()) return;
  const mode = stat.isDirectory() ? 0o700 : 0o600;
  if ((stat.mode & 0o777) !== mode) chmodSync(path, mode);
  if (recursive && stat.isDirectory()) for (const entry of readdirSync(path)) tighten(join(path, entry), true);
}

/**
 * Linux's sun_path holds 108 bytes with the terminating NUL (macOS: 104). A
 * longer socket path cannot be bound, whatever its folder's permissions.
 */
const MAX_SOCKET_PATH_BYTES = process.platform === 'linux' ? 107 : 103;
const TEMP_PREFIX = 'keywarden-db-';

/**
 * Where the embedded FerretDB listens: `DATA_DIR/ferretdb.sock`, or, when that
 * path is too long for a Unix socket, a fresh 0700 folder from mkdtemp under
 * the system temp dir (`tempDir`, which the runner records and removes).
 */
export function chooseSocketPath(dataDir: string): { path: string; tempDir: string | null } {
  const inDataDir = join(dataDir, SOCKET_NAME);
  if (Buffer.byteLength(inDataDir) <= MAX_SOCKET_PATH_BYTES) return { path: inDataDir, tempDir: null };
  for (const root of [tmpdir(), '/tmp']) {
    // mkdtemp's random suffix is 6 characters.
    if (Buffer.byteLength(join(root, `${TEMP_PREFIX}XXXXXX`, SOCKET_NAME)) > MAX_SOCKET_PATH_BYTES) continue;
    const tempDir = mkdtempSync(join(root, TEMP_PREFIX));
    chmodSync(tempDir, 0o700);
    return { path: join(tempDir, SOCKET_NAME), tempDir };
  }
  throw new Error(`DATA_DIR: the database socket path ${inDataDir} is too long, and so is the temp dir's; use a shorter DATA_DIR or TMPDIR.`);
}

/** Whether `dir` is a socket folder chooseSocketPath made (so it is safe to delete). */
export function isSocketTempDir(dir: string): boolean {
  return basename(dir).startsWith(TEMP_PREFIX) && [tmpdir(), '/tmp'].includes(dirname(dir));
}

/** The MongoDB driver takes a socket path, percent-encoded, as the host. */
export function socketUri(socketPath: string): string {
  return `mongodb://${encodeURIComponent(socketPath)}/`;
}
