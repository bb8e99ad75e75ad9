import { connectDatabase, type Database } from './client';
import { collections, type Collections } from './collections';
import { ensureCollections, ensureIndexes } from './indexes';
import { migrate } from './migrate';
import { createRepos, type Repos } from './repos';

/**
 * One open database: the client (ping, close), its collections and the repos over them.
 * The runtime hands `repos` to createServices and keeps the rest for start-up, /health,
 * shutdown and the tests that are about storage itself.
 */
export interface Storage {
  database: Database;
  cols: Collections;
  repos: Repos;
}

export async function openStorage(uri: string, dbName: string, options: { monitorCommands?: boolean } = {}): Promise<Storage> {
  const database = await connectDatabase(uri, dbName, options);
  try {
    const cols = collections(database.db);
    await ensureCollections(database.db, cols);
    await ensureIndexes(cols);
    // Data an earlier version wrote, in today's shapes before anything reads it.
    await migrate(database.db, cols);
    return { database, cols, repos: createRepos(cols, database) };
  } catch (err) {
    await database.close();
    throw err;
  }
}
