import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, connect, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { inject } from 'vitest';
import { startDatabase } from '../../server/db/runner';

/**
 * A TCP proxy on loopback between the server and its database (a TCP address,
 * or the embedded FerretDB's Unix socket) that a test can cut and restore, to
 * play a database outage at an exact moment: `cutOn` watches the client-to-database
 * bytes and cuts every connection at the first chunk that matches, after
 * forwarding it or not.
 */
export interface DbProxy {
  uri: string;
  /** `forward`: the database runs the command but its answer is lost; `drop`: the command never arrives. */
  cutOn(match: (chunk: Buffer) => boolean, mode?: 'forward' | 'drop'): Promise<void>;
  cut(): void;
  restore(): void;
  stop(): Promise<void>;
}

/** Where a proxy forwards to: a TCP host and port, or a Unix socket (the embedded FerretDB). */
export type DbTarget = { host: string; port: number } | { path: string };

/**
 * The one server of a plain `mongodb://host:port/…` or `mongodb://%2Fpath%2Fto.sock/…`
 * address, or null (SRV, several hosts).
 */
export function singleHost(uri: string): DbTarget | null {
  const socket = /^mongodb:\/\/(?:[^@/]*@)?(%2F[^,/?]*\.sock)(?:[/?]|$)/i.exec(uri);
  if (socket) return { path: decodeURIComponent(socket[1]!) };
  const m = /^mongodb:\/\/(?:[^@/]*@)?([^,/:]+):(\d+)(?:\/|$)/.exec(uri);
  return m ? { host: m[1]!, port: Number(m[2]) } : null;
}

export async function startDbProxy(target: DbTarget): Promise<DbProxy> {
  const sockets = new Set<Socket>();
  let down = false;
  let trigger: { match: (chunk: Buffer) => boolean; mode: 'forward' | 'drop'; fired: () => void } | null = null;

  const cut = () => {
    down = true;
    for (const s of sockets) s.destroy();
    sockets.clear();
  };

  const server: Server = createServer((client) => {
    if (down) return void client.destroy();
    const upstream = 'path' in target ? connect(target.path) : connect(target.port, target.host);
    sockets.add(client).add(upstream);
    let detached = false;
    const drop = () => {
      client.destroy();
      sockets.delete(client);
      if (detached) return;
      upstream.destroy();
      sockets.delete(upstream);
    };
    client.on('error', drop).on('close', drop);
    upstream.on('error', drop).on('close', drop);
    upstream.on('data', (chunk: Buffer) => void (detached || client.write(chunk)));
    client.on('data', (chunk: Buffer) => {
      if (trigger && trigger.match(chunk)) {
        const { fired, mode } = trigger;
        trigger = null;
        if (mode === 'forward') {
          detached = true;
          sockets.delete(upstream);
          upstream.end(chunk);
        }
        cut();
        fired();
        return;
      }
      upstream.write(chunk);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;

  return {
    uri: `mongodb://127.0.0.1:${port}/?directConnection=true`,
    cutOn: (match, mode = 'forward') => new Promise<void>((fired) => (trigger = { match, mode, fired })),
    cut,
    restore: () => {
      down = false;
    },
    stop: async () => {
      cut();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** Matches an OP_MSG whose command is `command` on `collection` (e.g. update on keys). */
export function isCommand(command: string, collection: string) {
  const head = Buffer.from(`\x02${command}\x00`, 'latin1');
  const name = Buffer.from(`${collection}\x00`, 'latin1');
  return (chunk: Buffer) => {
    const at = chunk.indexOf(head);
    return at >= 0 && at < 64 && chunk.indexOf(name, at) === at + head.length + 4;
  };
}

/**
 * A proxy in front of a database a test may cut: the run's database when it is
 * a single host, otherwise (a replica set or SRV address) an embedded FerretDB
 * of the file's own — so the outage tests run whatever MONGODB_URI is.
 */
export async function startProxiedDatabase(): Promise<DbProxy> {
  const target = singleHost(inject('mongoUri'));
  if (target) return startDbProxy(target);
  const dataDir = mkdtempSync(join(tmpdir(), 'keywarden-proxied-'));
  const database = await startDatabase({ dataDir, reuseRunning: false, log: () => {} });
  const proxy = await startDbProxy(singleHost(database.uri)!);
  return {
    ...proxy,
    async stop() {
      await proxy.stop();
      await database.stop();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
