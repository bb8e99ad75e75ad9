import { DAY_MS } from './time';

/**
 * What "idle" means, once for the server and the extension: the Idle filter of the key list, the
 * idle-key policy, the usage card's "not used for 30 days" and the row note all apply this rule
 * (the database's form of it is `idleFilter` in server/db/key-list-query.ts).
 */

/** Days without a verified use after which a key is called idle (the idle policy's shortest setting). */
export const IDLE_DAYS = 30;

/** A key's fields the idle clock reads. */
export interface IdleClock {
  createdAt: Date;
  lastUsedAt: Date | null;
  /** When it was last enabled again, if ever: enabling restarts the clock. */
  enabledAt?: Date | null;
}

/** Since when a key counts as unused: its last verified use, or its creation if never used, or its re-enabling if later. */
export function idleSince(k: IdleClock): Date {
  return new Date(Math.max((k.lastUsedAt ?? k.createdAt).getTime(), k.enabledAt?.getTime() ?? 0));
}

/** The instant a key must have been unused since to be idle `days` at `now`. */
export function idleCutoff(days: number, now: Date): Date {
  return new Date(now.getTime() - days * DAY_MS);
}

/** Whether the key has gone `days` days without a use at `now` (exactly `days` counts). */
export function isIdle(k: IdleClock, days: number, now: Date): boolean {
  return idleSince(k).getTime() <= idleCutoff(days, now).getTime();
}
