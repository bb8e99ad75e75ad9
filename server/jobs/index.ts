import type { Services } from '../services';
import type { Job } from './runner';
import { HOUR_MS, MINUTE_MS } from '../../shared/time';

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
    { name: 'purge-auth', run: () => services.auth.purgeExpired() },
    { name: 'expiry-warnings', run: () => services.expiryWarnings.run() },
    { name: 'purge-usage', run: atMostEvery(HOUR_MS, () => services.usage.purge()) },
    { name: 'prune-key-changes', run: atMostEvery(HOUR_MS, () => services.keyChanges.prune()) },
    // Before the outbox, like the other passes that write notices.
    { name: 'used-after-revoke', run: atMostEvery(5 * MINUTE_MS, () => services.usedAfterRevoke.run()) },
    // Every tick: a rotation's grace ends on the minute (verify already refuses the key at that instant).
    { name: 'rotations', run: () => services.rotation.run() },
    // Idle clocks count days: a pass every quarter hour is plenty, and it scans the policy teams' keys.
    { name: 'idle-keys', run: atMostEvery(15 * 60_000, () => services.idleKeys.run()) },
    // Runs after the passes that write notices, so their emails go out in the same tick.
    { name: 'outbox', run: () => services.outbox.wake() },
    // Webhook retries come due in seconds, not ticks: a timer for the next one (after a restart too).
    { name: 'webhook-retries', run: () => services.webhooks.scheduleRetries() },
  ];
}
