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
    // Why the first call after an outage used to fail: the driver's monitor can
    // start its check on a connection the outage closed, and that check hangs
    // until its socket timeout, which is connectTimeoutMS. Selection waited 5 s,
    // the same, so the call failed just as the monitor gave up. Now a hung check
    // ends after 3 s, the next one follows within 0.5 s, and selection outlasts both.
    serverSelectionTimeoutMS: 8000,
    connectTimeoutMS: 3000,
    heartbeatFrequencyMS: 1000,
    // Fail a request quickly when the database is gone instead of queueing it.
    waitQueueTimeoutMS: 5000,
    appName: 'keywarden',
    // Tests count the commands a code path sends (e.g. that a malformed key costs none).
    monitorCommands: options.monitorCommands ?? false,
  });
  const stopWatchdog = watchMonitorChecks(client, 3000 + 2000);
  try {
    await client.connect();
  } catch (err) {
    stopWatchdog();
    throw err;
  }
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
    close: () => {
      stopWatchdog();
      return client.close();
    },
  };
}

/**
 * The MongoDB driver (7.9) can start a server check on a connection whose socket
 * an outage has just destroyed, and that check never settles: no error, and no
 * socket timeout on a destroyed socket. The monitor then never looks at the
 * server again, so every operation fails server selection even after the
 * database is back (what the outage tests caught). A check that has not
 * settled within `stuckAfterMs` (longer than any healthy one: connectTimeoutMS
 * bounds it) gets its monitor restarted. This reaches into driver internals on
 * purpose, guarded so a changed driver only loses the workaround.
 */
function watchMonitorChecks(client: MongoClient, stuckAfterMs: number): () => void {
  const pending = new Map<string, number>();
  client.on('serverHeartbeatStarted', (e) => pending.set(e.connectionId, Date.now()));
  client.on('serverHeartbeatSucceeded', (e) => pending.delete(e.connectionId));
  client.on('serverHeartbeatFailed', (e) => pending.delete(e.connectionId));
  const timer = setInterval(() => {
    for (const [address, since] of pending) {
      if (Date.now() - since < stuckAfterMs) continue;
      pending.delete(address);
      const monitor = (client as unknown as DriverInternals).topology?.s?.servers?.get(address)?.monitor;
      if (typeof monitor?.close === 'function' && typeof monitor.connect === 'function') {
        monitor.close();
        monitor.connect();
      }
    }
  }, 1000);
  timer.unref();
  return () => clearInterval(timer);
}

type DriverInternals = { topology?: { s?: { servers?: Map<string, { monitor?: { close?: () => void; connect?: () => void } }> } } };
