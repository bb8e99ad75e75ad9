import { EnvError, parseEnv } from './env';
import { startKeywarden } from './runtime';

/** Parse configuration, start, and stop gracefully on SIGINT/SIGTERM. Nothing else. */
async function main() {
  const env = parseEnv();
  const keywarden = await startKeywarden(env);
  console.log(`[keywarden] listening on ${keywarden.url}  (database: ${keywarden.database.embedded ? 'embedded FerretDB' : 'MONGODB_URI'}, mail: ${keywarden.deps.mailer.describe})`);

  const shutdown = (signal: string) => {
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
  process.once('SIGINT', () => shutdown('SIGINT'));
  process.once('SIGTERM', () => shutdown('SIGTERM'));
}

main().catch((err) => {
  console.error(err instanceof EnvError ? err.message : `[keywarden] failed to start: ${err instanceof Error ? err.message : err}`);
  process.exit(1);
});
