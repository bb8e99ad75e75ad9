import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestProject } from 'vitest/node';
import { startDatabase } from '../../server/db/runner';

/**
 * One real database server per test run: the embedded FerretDB in a temp
 * directory, or the MongoDB at MONGODB_URI. Each test file then works in a
 * database of its own and drops it.
 */
export default async function setup(project: TestProject) {
  const dataDir = mkdtempSync(join(tmpdir(), 'keywarden-test-'));
  const database = await startDatabase({ mongodbUri: process.env.MONGODB_URI, dataDir, reuseRunning: false, log: () => {} });
  project.provide('mongoUri', database.uri);
  return async () => {
    await database.stop();
    rmSync(dataDir, { recursive: true, force: true });
  };
}

declare module 'vitest' {
  export interface ProvidedContext {
    mongoUri: string;
  }
}
