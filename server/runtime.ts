import { serve, type ServerType } from '@hono/node-server';
import { createApp } from './app';
import { attachAlertsSocket } from './http/alerts.socket';
import { requestLimitsFromEnv } from './http/limits';
import { startDatabase, type RunningDatabase } from './db/runner';
import { openStorage, type Storage } from './db/storage';
import { consoleLogger, type Deps, type Logger } from './deps';
import type { Env } from './env';
import { backgroundJobs } from './jobs';
import { createJobRunner } from './jobs/runner';
import { createMailer } from './mail/mailer';
import { resolvePepper } from './pepper';
import { createServices } from './services';
import type { KeyEvents } from './services/key-events';
import { DEMO_ADMIN, seedDemo } from './seed';

/**
 * Assembles a running Keywarden from parsed configuration: database (embedded
 * or MONGODB_URI), indexes, services, background jobs, HTTP server. Used by
 * main.ts and by tests that need a real server on a loopback port.
 */
export interface Keywarden {
  url: string;
  deps: Deps;
  services: ReturnType<typeof createServices>;
  /** The open database and its repos: for start-up, /health, shutdown, and tests about storage itself. */
  storage: Storage;
  database: RunningDatabase;
  jobs: ReturnType<typeof createJobRunner>;
  stop(): Promise<void>;
}

export async function connectDeps(env: Env, log: Logger, runningDb?: RunningDatabase, monitorCommands = false) {
  const database = runningDb ?? (await startDatabase({ mongodbUri: env.MONGODB_URI, dataDir: env.DATA_DIR, log: log.info }));
  let storage: Storage;
  try {
    storage = await openStorage(database.uri, env.MONGODB_DB, { monitorCommands });
  } catch (err) {
    await database.stop();
    throw err;
  }
  const deps: Deps = {
    mailer: createMailer({ smtpUrl: env.SMTP_URL, from: env.MAIL_FROM, dataDir: env.DATA_DIR, log: log.info }),
    pepper: resolvePepper({ configured: env.KEYWARDEN_PEPPER, mongodbUri: env.MONGODB_URI, dataDir: env.DATA_DIR }),
    now: () => new Date(),
    log,
    config: {
      publicUrl: env.PUBLIC_URL ?? `http://${env.HOST}:${env.PORT}`,
      authCodeLimitPerEmail: env.AUTH_CODE_LIMIT_PER_EMAIL,
      authCodeLimitPerEmailIp: env.AUTH_CODE_LIMIT_PER_EMAIL_IP,
      authCodeLimitPerIp: env.AUTH_CODE_LIMIT_PER_IP,
      authCodeFailedLimitPerDay: env.AUTH_CODE_FAILED_LIMIT_PER_DAY,
      authCodeWindowMinutes: env.AUTH_CODE_WINDOW_MINUTES,
      trustProxy: env.TRUST_PROXY,
      extensionOrigins: env.EXTENSION_ORIGINS ?? null,
      githubSecretScanningKeysUrl: env.GITHUB_SECRET_SCANNING_KEYS_URL,
    },
  };
  return { database, deps, storage };
}

export async function startKeywarden(env: Env, options: { log?: Logger; database?: RunningDatabase; jobs?: boolean; monitorCommands?: boolean; keyEvents?: KeyEvents } = {}): Promise<Keywarden> {
  const log = options.log ?? consoleLogger;
  const { database, deps, storage } = await connectDeps(env, log, options.database, options.monitorCommands);
  if (env.MONGODB_URI && !env.SMTP_URL) {
    log.error('SMTP_URL is not set: emails (sign-in codes, revocation notices) are only written to DATA_DIR/mail/, not delivered.');
  }
  const services = createServices(deps, storage.repos, {
    verify: { cacheTtlMs: env.VERIFY_CACHE_TTL_SECONDS * 1000 },
    usage: { flushIntervalMs: env.USAGE_FLUSH_SECONDS * 1000, retentionDays: env.USAGE_RETENTION_DAYS },
    webhooks: { policy: { allowHttpLoopback: env.WEBHOOKS_ALLOW_HTTP_LOOPBACK, allowPrivate: env.WEBHOOKS_ALLOW_PRIVATE } },
    keyEvents: options.keyEvents,
  });
  await services.verify.startWatching();
  if (env.KEYWARDEN_SEED_DEMO && database.embedded) {
    const seeded = await seedDemo(deps, services);
    if (seeded) log.info(`seeded a demo team: sign in as ${DEMO_ADMIN} (the code is mailed to ${deps.mailer.describe})`);
  }
  const jobList = backgroundJobs(services);
  const jobs = createJobRunner(deps, services.jobLeases, jobList, { intervalMs: env.JOB_INTERVAL_SECONDS * 1000 });
  jobList.push({ name: 'purge-leases', run: () => jobs.purgeStaleLeases() });
  if (options.jobs !== false) jobs.start();

  const app = createApp(deps, services, requestLimitsFromEnv(env));
  const server = await new Promise<ServerType>((resolve) => {
    const s = serve({ fetch: app.fetch, hostname: env.HOST, port: env.PORT }, () => resolve(s));
  });
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : env.PORT;
  const alertsSocket = attachAlertsSocket(server, deps, services);

  let stopping: Promise<void> | null = null;
  return {
    url: `http://${env.HOST}:${port}`,
    deps,
    services,
    storage,
    database,
    jobs,
    stop: () =>
      (stopping ??= (async () => {
        alertsSocket.close();
        await new Promise<void>((resolve) => server.close(() => resolve()));
        await jobs.stop();
        await services.outbox.stop();
        services.verify.stopWatching();
        await services.verify.flush();
        // Unspent slices of credits go back to their keys' balances.
        await services.limits.stop();
        // No verify is served any more: the last usage counts are written before the database goes.
        await services.usage.stop();
        deps.mailer.close();
        await storage.database.close();
        await database.stop();
      })()),
  };
}
