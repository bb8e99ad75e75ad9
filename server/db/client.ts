import { MongoClient, type Db } from 'mongodb';
import { withDeadline } from '../lib/deadline';

/** One MongoClient per process; the pool is shared by every repo. */
export interface Database {
  client: MongoClient;
  db: Db;
  ping(): Promise<boolean>;
  close(): Promise<void>;
}

export async function connectDatabase(uri: string, dbName: string, options: { monitorCommands?: boolean } = {}): Promise<Database> {
  const client = new MongoClient(uri, {
    serverSelectionTimeoutMS: 5000,
    connectTimeoutMS: 5000,
    // Fail a request quickly when the database is gone instead of queueing it.
    waitQueueTimeoutMS: 5000,
    appName: 'keywarden',
    // Tests count the commands a code path sends (e.g. that a malformed key costs none).
    monitorCommands: options.monitorCommands ?? false,
  });
  await client.connect();
  const db = client.db(dbName);
  return {
    client,
    db,
    async ping() {
      try {
        await withDeadline(db.command({ ping: 1 }, { timeoutMS: 2000 }), 2500, 'ping');
        return true;
      } catch {
        return false;
      }
    },
    close: () => client.close(),
  };
}
