import { spawnSync } from 'node:child_process';
import { chmodSync, existsSync, lstatSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, readlinkSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { MongoClient } from 'mongodb';
import { afterAll, describe, expect, it } from 'vitest';
import { silentLogger } from '../../server/deps';
import { parseEnv } from '../../server/env';
import { ping, startDatabase } from '../../server/db/runner';
import { startKeywarden } from '../../server/runtime';
import { DEMO_ADMIN } from '../../server/seed';
import { trpcClient } from '../helpers/harness';

const roots: string[] = [];
afterAll(() => roots.forEach((d) => rmSync(d, { recursive: true, force: true })));
const freshRoot = () => {
  const root = mkdtempSync(join(tmpdir(), 'keywarden-private-'));
  roots.push(root);
  return root;
};

interface Entry {
  path: string;
  kind: 'dir' | 'file' | 'socket' | 'other';
  mode: string;
}

/** Every entry under `dir` (itself included), with its kind and permission bits in octal. */
function walk(dir: string, root = dir): Entry[] {
  const stat = lstatSync(dir);
  const self: Entry = { path: relative(root, dir) || '.', kind: 'dir', mode: (stat.mode & 0o777).toString(8) };
  const entries = [self];
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    const s = lstatSync(path);
    if (s.isDirectory()) entries.push(...walk(path, root));
    else entries.push({ path: relative(root, path), kind: s.isFile() ? 'file' : s.isSocket() ? 'socket' : 'other', mode: (s.mode & 0o777).toString(8) });
  }
  return entries;
}

/** What is readable, writable or reachable by anyone but the owner (a socket only needs to be unreachable). */
const notPrivate = (entries: Entry[]) =>
  entries.filter((e) => (e.kind === 'dir' ? e.mode !== '700' : e.kind === 'socket' ? (parseInt(e.mode, 8) & 0o077) !== 0 : e.mode !== '600'));

const state = (dataDir: string) => JSON.parse(readFileSync(join(dataDir, 'ferretdb.json'), 'utf8')) as { uri: string; pid: number; socketDir?: string };

describe('local data is private', () => {
  it('creates a fresh DATA_DIR 0700 with every file in it 0600 after a start and a dev mail', async () => {
    const dataDir = join(freshRoot(), 'data');
    const keywarden = await startKeywarden(parseEnv({ DATA_DIR: dataDir, PORT: '0', KEYWARDEN_SEED_DEMO: 'true' }), { log: silentLogger, jobs: false });
    try {
      await trpcClient(keywarden.url, null).auth.requestCode.mutate({ email: DEMO_ADMIN });
      await expect.poll(() => existsSync(join(dataDir, 'mail')) && readdirSync(join(dataDir, 'mail')).length, { timeout: 30_000 }).toBe(1);
      const entries = walk(dataDir);
      // The test sees what it means to check: the database files, the pepper, the runner state, the mail.
      expect(entries.map((e) => e.path)).toEqual(
        expect.arrayContaining(['.', 'pepper', 'ferretdb.json', 'ferretdb.sock', 'ferretdb', 'ferretdb/keywarden.sqlite', 'mail', expect.stringMatching(/^mail\/.*\.eml$/)]),
      );
      expect(notPrivate(entries)).toEqual([]);
    } finally {
      await keywarden.stop();
    }
  });

  it('tightens a DATA_DIR an older version left readable by others, and keeps its data', async () => {
    const dataDir = join(freshRoot(), 'data');
    const first = await startDatabase({ dataDir, reuseRunning: false, log: () => {} });
    const client = await MongoClient.connect(first.uri);
    await client.db('keywarden').collection('teams').insertOne({ _id: 'team_old' as never, name: 'Old' });
    await client.close();
    await first.stop();
    writeFileSync(join(dataDir, 'pepper'), 'p'.repeat(43));
    mkdirSync(join(dataDir, 'mail'));
    writeFileSync(join(dataDir, 'mail', 'old.eml'), 'Subject: your code is 123456\n');
    // What an older version left: folders 0755, files 0644.
    for (const e of walk(dataDir)) chmodSync(join(dataDir, e.path), e.kind === 'dir' ? 0o755 : 0o644);
    expect(notPrivate(walk(dataDir)).map((e) => e.path)).toEqual(expect.arrayContaining(['.', 'pepper', 'mail/old.eml', 'ferretdb/keywarden.sqlite']));

    const again = await startDatabase({ dataDir, log: () => {} });
    try {
      expect(notPrivate(walk(dataDir))).toEqual([]);
      const reader = await MongoClient.connect(again.uri);
      expect(await reader.db('keywarden').collection('teams').findOne({ name: 'Old' })).toMatchObject({ _id: 'team_old' });
      await reader.close();
    } finally {
      await again.stop();
    }
  });

  it('serves the embedded database on a socket inside DATA_DIR and opens no TCP port', async () => {
    const dataDir = join(freshRoot(), 'data');
    const database = await startDatabase({ dataDir, reuseRunning: false, log: () => {} });
    try {
      const socketPath = join(dataDir, 'ferretdb.sock');
      expect(database.uri).toBe(`mongodb://${encodeURIComponent(socketPath)}/`);
      expect(await ping(database.uri, 10_000)).toBe(true);

      const { pid } = state(dataDir);
      const inodes = new Set(
        readdirSync(`/proc/${pid}/fd`)
          .map((fd) => /^socket:\[(\d+)\]$/.exec(linkOf(`/proc/${pid}/fd/${fd}`))?.[1])
          .filter((inode): inode is string => Boolean(inode)),
      );
      // /proc/<pid>/net/unix: Num RefCount Protocol Flags Type St Inode [Path]; the launcher listens on the socket.
      const unix = readFileSync(`/proc/${pid}/net/unix`, 'utf8').split('\n').slice(1).map((l) => l.trim().split(/\s+/));
      expect(unix.some((f) => f[7] === socketPath && inodes.has(f[6]!))).toBe(true);
      // /proc/<pid>/net/tcp{,6}: state 0A is LISTEN, field 9 the inode.
      const listening = ['tcp', 'tcp6']
        .flatMap((file) => readFileSync(`/proc/${pid}/net/${file}`, 'utf8').split('\n').slice(1))
        .map((l) => l.trim().split(/\s+/))
        .filter((f) => f[3] === '0A' && inodes.has(f[9]!));
      expect(listening).toEqual([]);
    } finally {
      await database.stop();
    }
  });

  it('falls back to a private temp folder for the socket when DATA_DIR is too deep for one', async () => {
    const dataDir = join(freshRoot(), 'd'.repeat(120));
    const database = await startDatabase({ dataDir, reuseRunning: false, log: () => {} });
    let socketDir: string;
    try {
      socketDir = dirname(decodeURIComponent(/^mongodb:\/\/([^/]+)\//.exec(database.uri)![1]!));
      expect(dirname(socketDir)).toBe(tmpdir());
      expect(statSync(socketDir).mode & 0o777).toBe(0o700);
      expect(state(dataDir).socketDir).toBe(socketDir);
      expect(await ping(database.uri, 10_000)).toBe(true);
    } finally {
      await database.stop();
    }
    expect(existsSync(socketDir)).toBe(false);
  });

  it('removes the temp socket folder of a server that crashed, at the next start', async () => {
    const dataDir = join(freshRoot(), 'd'.repeat(120));
    mkdirSync(dataDir, { recursive: true });
    const leftover = mkdtempSync(join(tmpdir(), 'keywarden-db-'));
    const dead = spawnSync('true').pid!;
    writeFileSync(join(dataDir, 'ferretdb.json'), JSON.stringify({ uri: 'mongodb://%2Fnowhere.sock/', pid: dead, supervisor: dead, socketDir: leftover }));
    const database = await startDatabase({ dataDir, log: () => {} });
    try {
      expect(existsSync(leftover)).toBe(false);
      expect(state(dataDir).socketDir).not.toBe(leftover);
    } finally {
      await database.stop();
    }
  });
});

/** An fd link target, or empty when the fd closed between listing and reading it. */
function linkOf(path: string): string {
  try {
    return readlinkSync(path, 'utf8');
  } catch {
    return '';
  }
}
