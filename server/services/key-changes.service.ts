import { KEY_CHANGE_RETENTION_DAYS, type KeyChangeKind, type KeyChangesPage } from '../../shared/schemas/key-change';
import { DAY_MS } from '../../shared/time';
import type { KeyChangesRepo, StoredKeyChange } from '../db/key-changes.repo';
import type { Deps } from '../deps';
import { AppError } from '../errors';

/** Most events per answer; a reader further behind calls again with `next`. */
const PAGE_SIZE = 500;
/** How often a waiting reader looks for other instances' events (its own arrive at once). */
const POLL_MS = 200;
/**
 * A missing number this much older than the event after it is filled as a gap. Its writer takes
 * its number and inserts in the same breath, so a hole this old means a stalled or dead writer;
 * should it still insert, it finds the gap and takes a new number (key-changes.repo), never lost.
 */
const GAP_MS = 3000;
/** The REST mount ends every request at 30 s: a long poll of `waitSeconds: 30` stops waiting a second short of that. */
const LONGEST_WAIT_MS = 29_000;

/** What records changes: the action engine, issuing, rotation (and key policy updates). */
export interface KeyChangeRecorder {
  record(teamId: string, kind: KeyChangeKind, keyIds: string[]): Promise<void>;
}

/**
 * The change feed: key changes appended per team with a strictly increasing `seq`, read from
 * `after` as a contiguous prefix (never skipping an event whose number was taken but not yet
 * written), long-polled with `waitSeconds`.
 */
export function keyChangesService(deps: Deps, repos: { keyChanges: KeyChangesRepo }) {
  /** Readers waiting on this instance, per team: woken by a local change at once. */
  const waiters = new Map<string, Set<() => void>>();

  function wake(teamId: string) {
    for (const w of waiters.get(teamId) ?? []) w();
  }

  /** Resolves on a local change of the team, after `ms`, or on `signal`, whichever is first. */
  function nap(teamId: string, ms: number, signal: AbortSignal): Promise<void> {
    return new Promise((resolve) => {
      const set = waiters.get(teamId) ?? new Set();
      waiters.set(teamId, set);
      const done = () => {
        clearTimeout(timer);
        signal.removeEventListener('abort', done);
        set.delete(done);
        if (set.size === 0) waiters.delete(teamId);
        resolve();
      };
      const timer = setTimeout(done, ms);
      signal.addEventListener('abort', done);
      set.add(done);
    });
  }

  /** The events after `after` up to the first number not written yet; gaps are passed silently. */
  async function readOnce(teamId: string, after: number): Promise<KeyChangesPage> {
    for (;;) {
      const found = await repos.keyChanges.after(teamId, after, PAGE_SIZE);
      let next = after;
      const events: KeyChangesPage['events'] = [];
      let hole: StoredKeyChange | null = null;
      for (const e of found) {
        if (e.seq !== next + 1) {
          hole = e;
          break;
        }
        next = e.seq;
        if (e.kind !== 'gap' && e.keyId) events.push({ seq: e.seq, keyId: e.keyId, kind: e.kind, at: e.at.toISOString() });
      }
      // A hole before anything could be answered, old enough to be a dead writer's: fill it and read again.
      if (hole && next === after && deps.now().getTime() - hole.at.getTime() > GAP_MS) {
        await repos.keyChanges.fillGap(teamId, after + 1, deps.now());
        continue;
      }
      return { events, next };
    }
  }

  return {
    async record(teamId: string, kind: KeyChangeKind, keyIds: string[]): Promise<void> {
      if (keyIds.length === 0) return;
      await repos.keyChanges.append(teamId, keyIds.map((keyId) => ({ keyId, kind })), deps.now());
      wake(teamId);
    },

    /**
     * One page of the team's feed after `after` (from the head when absent), waiting up to
     * `waitSeconds` for a first event. 410 when `after` is before the retained window (or was
     * never a position of this feed): the reader must drop what it cached and start again.
     */
    async read(teamId: string, query: { after?: number; waitSeconds: number }, signal: AbortSignal): Promise<KeyChangesPage> {
      const { head, pruned } = await repos.keyChanges.position(teamId);
      const after = query.after ?? head;
      if (after < pruned || after > head) {
        throw new AppError(
          'GONE',
          after > head
            ? `"after" (${after}) is beyond this feed's last event (${head}): drop everything cached and start again without "after".`
            : `Events up to ${pruned} are gone (events are kept ${KEY_CHANGE_RETENTION_DAYS} days): drop everything cached and start again without "after".`,
        );
      }
      const until = Date.now() + Math.min(query.waitSeconds * 1000, LONGEST_WAIT_MS);
      for (;;) {
        const page = await readOnce(teamId, after);
        const left = until - Date.now();
        if (page.next !== after || left <= 0 || signal.aborted) return page;
        await nap(teamId, Math.min(POLL_MS, left), signal);
      }
    },

    /** The pruning job: events older than the retained window go. */
    async prune(): Promise<number> {
      return repos.keyChanges.prune(new Date(deps.now().getTime() - KEY_CHANGE_RETENTION_DAYS * DAY_MS));
    },
  };
}
export type KeyChangesService = ReturnType<typeof keyChangesService>;
