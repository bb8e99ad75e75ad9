import type { Services } from '../services';
import type { Job } from './runner';

/** Runs `run` at most once per `ms` on this instance (the first call always runs): for passes that scan. */
function atMostEvery(ms: number, run: () => Promise<unknown>): () => Promise<unknown> {
  let last = -Infinity;
  return async () => {
    if (Date.now() - last < ms) return;
    last = Date.now();
    await run();
  };
}

/** Every periodic job of a server instance. Each is idempotent and safe on N instances. */
export function backgroundJobs(services: Services): Job[] {
  return [
    { name: 'resume-key-actions', run: () => services.keyActions.resumePending() },
    { name: 'purge-auth', run: () => services.repos.auth.purgeExpired(new Date()) },
    { name: 'expiry-warnings', run: () => services.expiryWarnings.run() },
    { name: 'purge-usage', run: atMostEvery(60 * 60_000, () => services.usage.purge()) },
    // Before the outbox, like the other passes that write notices.
    { name: 'used-after-revoke', run: atMostEvery(5 * 60_000, () => services.usedAfterRevoke.run()) },
    // Runs after the passes that write notices, so their emails go out in the same tick.
    { name: 'outbox', run: () => services.outbox.drain() },
  ];
}
