import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { serve, type ServerType } from '@hono/node-server';
import { inject } from 'vitest';
import { createApp } from '../../server/app';
import { silentLogger } from '../../server/deps';
import { parseEnv } from '../../server/env';
import { backgroundJobs } from '../../server/jobs';
import { createJobRunner } from '../../server/jobs/runner';
import { connectDeps } from '../../server/runtime';
import { createServices } from '../../server/services';
import type { KeyChangeEvent, KeyEvents, PolicyAppliedEvent } from '../../server/services/key-events';
import { TEST_PEPPER, trpcClient, uniqueDbName, type TestServer } from './harness';

/** A KeyEvents that remembers every event (the notifier behind it is someone else's test). */
export function recordingKeyEvents() {
  const changes: KeyChangeEvent[] = [];
  const policies: PolicyAppliedEvent[] = [];
  const events: KeyEvents = {
    keysChanged: async (e) => void changes.push(e),
    policyApplied: async (e) => void policies.push(e),
  };
  return { events, changes, policies };
}

/**
 * Like startTestServer, but with a KeyEvents override and optionally a
 * different database address (e.g. a proxy the test can cut).
 */
export async function startCustomServer(options: { label: string; keyEvents?: KeyEvents; mongoUri?: string }): Promise<TestServer> {
  const uri = options.mongoUri ?? inject('mongoUri');
  const dbName = uniqueDbName(options.label);
  const env = parseEnv({
    MONGODB_URI: uri,
    MONGODB_DB: dbName,
    HOST: '127.0.0.1',
    PORT: '0',
    DATA_DIR: mkdtempSync(join(tmpdir(), 'keywarden-srv-')),
    KEYWARDEN_PEPPER: TEST_PEPPER,
    KEYWARDEN_SEED_DEMO: 'false',
  });
  const database = { uri, embedded: false, owned: false, stop: async () => {} };
  const { deps } = await connectDeps(env, silentLogger, database);
  const services = createServices(deps, { keyEvents: options.keyEvents });
  const jobs = createJobRunner(deps, backgroundJobs(services), { intervalMs: 60_000 });
  const app = createApp(deps, services);
  const server = await new Promise<ServerType>((resolve) => {
    const s = serve({ fetch: app.fetch, hostname: '127.0.0.1', port: 0 }, () => resolve(s));
  });
  const address = server.address();
  const url = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
  const stop = async () => {
    await new Promise<void>((resolve) => server.close(() => resolve()));
    await jobs.stop();
    await services.verify.flush();
    deps.mailer.close();
    await deps.database.close();
  };
  return {
    url,
    deps,
    services,
    database,
    jobs,
    stop,
    dbName,
    client: (token) => trpcClient(url, token ?? null),
    async close() {
      await deps.database.db.dropDatabase().catch(() => {});
      await stop();
    },
  };
}
