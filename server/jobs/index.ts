import type { Services } from '../services';
import type { Job } from './runner';

/** Every periodic job of a server instance. Each is idempotent and safe on N instances. */
export function backgroundJobs(services: Services): Job[] {
  return [
    { name: 'resume-key-actions', run: () => services.keyActions.resumePending() },
    { name: 'purge-auth', run: () => services.repos.auth.purgeExpired(new Date()) },
    { name: 'expiry-warnings', run: () => services.expiryWarnings.run() },
    // Runs after the passes that write notices, so their emails go out in the same tick.
    { name: 'outbox', run: () => services.outbox.drain() },
  ];
}
