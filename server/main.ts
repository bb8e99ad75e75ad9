import { EnvError, parseEnv } from './env';
import { startKeywarden } from './runtime';

/** Parse configuration, start, and stop gracefully on SIGINT/SIGTERM. Nothing else. */
async function main() {
  const env = parseEnv();
  const keywarden = await startKeywarden(env);
  console.log(`[keywarden] listening on ${keywarden.url}  (database: ${keywarden.database.embedded ? 'embedded FerretDB' : 'MONGODB_URI'}, mail: ${keywarden.deps.mailer.describe})`);

  let shuttingDown = false;
  const shutdown = (signal: string) => {
    // `npm start` and the terminal may both deliver Ctrl-C: shut down once.
    if (shuttingDown) return;
    shuttingDown = true;
    console.log(`[keywarden] ${signal}: shutting down…`);
    const force = setTimeout(() => process.exit(1), 10_000);
    force.unref();
    keywarden.stop().then(
      () => process.exit(0),
      (err) => {
        console.error('[keywarden] shutdown failed:', err);
        process.exit(1);
      },
    );
  };
  process.on('SIGINT', () => shutdown('SIGINT'));
  process.on('SIGTERM', () => shutdown('SIGTERM'));
}

main().catch((err) => {
  console.error(err instanceof EnvError ? err.message : `[keywarden] failed to start: ${err instanceof Error ? err.message : err}`);
  process.exit(1);
});
