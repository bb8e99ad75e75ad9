import { EventEmitter } from 'node:events';
import type { RevisionsRepo } from '../db/revisions.repo';
import type { Logger } from '../deps';

/**
 * "This user's alerts changed": an in-process signal feeding the push socket
 * (other instances' changes reach their clients through the socket's periodic
 * check), plus a bump of the shared "alerts" revision, which lets
 * `alerts.summary` answer an unchanged poll from one `_id` look-up.
 */
/**
 * Moves the shared "alerts" revision after a change a badge is made of. Best effort: a failed
 * bump only delays what an unchanged poll answers, so it is logged, never thrown.
 */
export function bumpAlerts(revisions: RevisionsRepo, log: Logger): Promise<void> {
  return revisions.bump('alerts').catch((err) => log.error('bumping the alerts revision failed', err));
}

export function createAlertsBus(revisions: RevisionsRepo, log: Logger) {
  const emitter = new EventEmitter();
  emitter.setMaxListeners(0);
  return {
    /** Resolves once the shared revision moved, so a poll right after the change sees it. */
    async emit(userId: string): Promise<void> {
      // Bump first: a client told "changed" must not find the old stamp when it asks.
      await bumpAlerts(revisions, log);
      emitter.emit('changed', userId);
    },
    subscribe(listener: (userId: string) => void): () => void {
      emitter.on('changed', listener);
      return () => emitter.off('changed', listener);
    },
  };
}
export type AlertsBus = ReturnType<typeof createAlertsBus>;
