import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chooseSocketPath, makeDataDirPrivate, socketUri } from '../../server/db/data-dir';
import { ensureFerretdbBinary } from '../../server/db/ferretdb';
import { superviseLauncher } from '../../server/db/ferretdb-process';

/**
 * The embedded FerretDB started with extra launcher flags, e.g. `-pushdown=`
 * for FerretDB's own query path without Keywarden's patch: for tests and the
 * bench that compare the same calls on two configurations of the same build.
 */
export interface FerretdbVariant {
  uri: string;
  stop(): Promise<void>;
}

/** Serves the files under `dataDir/ferretdb` (kept when it stops). */
export async function startFerretdbOn(dataDir: string, launcherArgs: string[]): Promise<FerretdbVariant> {
  makeDataDirPrivate(dataDir);
  const socket = chooseSocketPath(dataDir);
  const launcher = await superviseLauncher({
    binary: ensureFerretdbBinary(() => {}),
    args: ['-socket', socket.path, '-dir', join(dataDir, 'ferretdb'), ...launcherArgs],
    log: () => {},
    onReady: () => {},
  });
  return {
    uri: socketUri(socket.path),
    async stop() {
      await launcher.stop();
      if (socket.tempDir) rmSync(socket.tempDir, { recursive: true, force: true });
    },
  };
}

/** A fresh, empty database in a temp folder that `stop()` removes. */
export async function startFerretdbVariant(launcherArgs: string[]): Promise<FerretdbVariant> {
  const dataDir = mkdtempSync(join(tmpdir(), 'keywarden-variant-'));
  const db = await startFerretdbOn(dataDir, launcherArgs);
  return {
    uri: db.uri,
    async stop() {
      await db.stop();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
