import { mkdtempSync } from 'node:fs';
import { createServer, connect, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { inject } from 'vitest';
import { parseEnv } from '../../server/env';
import { startKeywarden } from '../../server/runtime';
import { createTeam, dropDatabaseAndStop, TEST_PEPPER, trpcClient, uniqueDbName } from '../helpers/harness';
import { isCommand, singleHost, type DbTarget } from '../helpers/db-proxy';
import { ALL_VIEWS as ALL, trpcPost } from '../helpers/raw-http';

/**
 * Request limits (server/http/limits.ts) when the database connection pool is
 * full: a waiting request is answered 503, not left hanging nor logged as a bug.
 * The test starts its own server over a stalling proxy to the database.
 */
describe('a full connection pool', () => {
  /** A proxy that can hold one database connection mid-command, as a slow query would. */
  async function stallingProxy(target: DbTarget) {
    let trigger: { match: (chunk: Buffer) => boolean; fired: () => void } | null = null;
    const held: (() => void)[] = [];
    const sockets = new Set<Socket>();
    const server = createServer((client) => {
      const upstream = 'path' in target ? connect(target.path) : connect(target.port, target.host);
      sockets.add(client).add(upstream);
      const drop = () => {
        client.destroy();
        upstream.destroy();
      };
      client.on('error', drop).on('close', drop);
      upstream.on('error', drop).on('close', drop);
      upstream.pipe(client);
      const forward = (chunk: Buffer) => {
        if (trigger?.match(chunk)) {
          const { fired } = trigger;
          trigger = null;
          client.off('data', forward);
          client.pause();
          held.push(() => {
            upstream.write(chunk);
            client.pipe(upstream);
            client.resume();
          });
          fired();
          return;
        }
        upstream.write(chunk);
      };
      client.on('data', forward);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const port = (server.address() as { port: number }).port;
    return {
      uri: `mongodb://127.0.0.1:${port}/?directConnection=true&maxPoolSize=1`,
      stallOn: (match: (chunk: Buffer) => boolean) => new Promise<void>((fired) => (trigger = { match, fired })),
      release: () => held.splice(0).forEach((go) => go()),
      stop: async () => {
        for (const s of sockets) s.destroy();
        await new Promise<void>((resolve) => server.close(() => resolve()));
      },
    };
  }

  const target = singleHost(inject('mongoUri'));

  it('answers 503 when no connection frees up in time, and does not log it as a bug', async () => {
    // The proxy needs one address to forward to: the embedded database's socket, or a single-host MONGODB_URI.
    expect(target, 'the pool test needs a single-host database address').not.toBeNull();
    const proxy = await stallingProxy(target!);
    const logged: { msg: string; name: string | undefined }[] = [];
    const env = parseEnv({
      MONGODB_URI: proxy.uri,
      MONGODB_DB: uniqueDbName('reqlimitspool'),
      HOST: '127.0.0.1',
      PORT: '0',
      DATA_DIR: mkdtempSync(join(tmpdir(), 'keywarden-srv-')),
      KEYWARDEN_PEPPER: TEST_PEPPER,
      KEYWARDEN_SEED_DEMO: 'false',
    });
    const pooled = await startKeywarden(env, {
      log: { info: () => {}, error: (msg, err) => logged.push({ msg, name: err instanceof Error ? err.name : undefined }) },
      database: { uri: proxy.uri, embedded: false, stop: async () => {} },
      jobs: false,
    });
    try {
      const a = await createTeam({ ...pooled, dbName: env.MONGODB_DB, client: (t) => trpcClient(pooled.url, t ?? null), close: async () => {} });
      const b = await createTeam({ ...pooled, dbName: env.MONGODB_DB, client: (t) => trpcClient(pooled.url, t ?? null), close: async () => {} });

      // A's session look-up holds the pool's only connection.
      const stalled = proxy.stallOn(isCommand('find', 'sessions'));
      const first = trpcPost(pooled.url, 'keys.list', a.admin.token, { teamId: a.teamId, view: ALL });
      await stalled;
      const waiting = await trpcPost(pooled.url, 'keys.list', b.admin.token, { teamId: b.teamId, view: ALL });
      expect(waiting.status).toBe(503);
      expect(((await waiting.json()) as { error: { json: { data: { code: string } } } }).error.json.data.code).toBe('SERVICE_UNAVAILABLE');

      proxy.release();
      expect((await first).status).not.toBe(500);
      // The driver's own wait-queue timeout, mapped to 503 like any database outage.
      expect(logged).toContainEqual({ msg: 'database unavailable', name: 'MongoWaitQueueTimeoutError' });
      expect(logged.filter((m) => m.msg.startsWith('unexpected error'))).toEqual([]);
    } finally {
      proxy.release();
      await dropDatabaseAndStop(pooled);
      await proxy.stop();
    }
  });
});
