import type { OutboxLane } from '../db/outbox.repo';
import type { Logger } from '../deps';

/**
 * Who sends which outbox message when, on one instance. Messages go out in lanes: all email in
 * one lane (several at a time), and each webhook endpoint's deliveries in a lane of their own (one
 * at a time), with at most `endpointsInFlight` endpoint lanes running. So a security email never
 * waits behind a webhook, and an endpoint that answers slowly or not at all holds up only its own
 * deliveries. Other instances run lanes of their own; the claim on each message keeps them apart.
 */
export interface LaneLimits {
  /** Messages a lane reads at a time. */
  batchSize: number;
  /** Emails sent side by side on this instance. */
  emailsInFlight: number;
  /** Webhook endpoints delivered to side by side on this instance (one delivery at a time each). */
  endpointsInFlight: number;
}

export interface LaneWork {
  /** The lane's claimable messages, soonest due first. */
  dueIds(lane: OutboxLane, limit: number): Promise<string[]>;
  /** Endpoints with a claimable delivery. */
  dueEndpointIds(): Promise<string[]>;
  /** Claims and attempts one message: null when another worker holds it, else whether it went out. */
  attempt(id: string): Promise<boolean | null>;
}

interface Running {
  done: Promise<number>;
  /** Someone found due work while the lane ran: it reads once more before it ends. */
  again: boolean;
}

export function outboxLanes(limits: LaneLimits, work: LaneWork, log: Logger) {
  const lanes = new Map<string, Running>();
  /** Drains and wakes that have not yet started (or, for drains, seen through) their lanes. */
  const drains = new Set<Promise<unknown>>();
  /** Endpoints found due while every endpoint slot was taken: first in line when one frees up. */
  const waiting = new Set<string>();
  let endpointLanes = 0;
  let kicked = false;
  let stopped = false;

  /** One batch of the lane, `width` messages at a time; `more` when a full batch was worth reading. */
  async function pass(lane: OutboxLane, width: number): Promise<{ sent: number; more: boolean }> {
    const ids = await work.dueIds(lane, limits.batchSize);
    let next = 0;
    let claimed = 0;
    let sent = 0;
    // An endpoint lane hands its slot to a waiting endpoint after each delivery, not after its batch.
    const yieldsNow = () => lane.channel === 'webhook' && claimed > 0 && waiting.size > 0;
    const worker = async () => {
      while (next < ids.length && !stopped && !yieldsNow()) {
        const outcome = await work.attempt(ids[next++]!);
        if (outcome === null) continue;
        claimed++;
        if (outcome) sent++;
      }
    };
    const results = await Promise.allSettled(Array.from({ length: Math.min(width, ids.length) }, worker));
    rethrowFirst(results);
    // Everything due is held by other workers: nothing to gain from reading again now.
    return { sent, more: (ids.length === limits.batchSize || next < ids.length) && claimed > 0 };
  }

  async function run(key: string, lane: OutboxLane, width: number, state: Running): Promise<number> {
    let sent = 0;
    try {
      for (;;) {
        state.again = false;
        const result = await pass(lane, width);
        sent += result.sent;
        // An endpoint with more to send gives its slot to one waiting, and queues up behind it.
        const yields = lane.channel === 'webhook' && waiting.size > 0;
        if (stopped || yields || !(result.more || state.again)) return sent;
      }
    } catch (err) {
      // A database error: the messages stay leased and are tried again when their leases run out.
      log.error(`outbox lane ${key} stopped (the next drain resumes it)`, err);
      throw err;
    } finally {
      // In the same turn as the last check: a drain that comes later starts a new lane.
      lanes.delete(key);
      if (lane.channel === 'webhook') {
        endpointLanes--;
        if (waiting.size > 0) kick();
      }
    }
  }

  function join(key: string, lane: OutboxLane, width: number): Promise<number> {
    const running = lanes.get(key);
    if (running) {
      running.again = true;
      return running.done;
    }
    const state: Running = { done: Promise.resolve(0), again: false };
    state.done = run(key, lane, width, state);
    // The lane logs its own failure; a wake, or a drain cut short, may leave nobody else waiting on it.
    state.done.catch(() => {});
    lanes.set(key, state);
    return state.done;
  }

  /** Starts (or wakes) every lane with due work; resolves, once they run, with their promises. */
  async function start(): Promise<Promise<number>[]> {
    if (stopped) return [];
    const joined = [join('email', { channel: 'email' }, limits.emailsInFlight)];
    const due = await work.dueEndpointIds();
    const order = [...[...waiting].filter((id) => due.includes(id)), ...due.filter((id) => !waiting.has(id))];
    waiting.clear();
    for (const endpointId of order) {
      const key = `webhook:${endpointId}`;
      if (stopped) break;
      if (!lanes.has(key)) {
        if (endpointLanes >= limits.endpointsInFlight) {
          waiting.add(endpointId);
          continue;
        }
        endpointLanes++;
      }
      joined.push(join(key, { channel: 'webhook', endpointId }, 1));
    }
    return joined;
  }

  function track<T>(running: Promise<T>): Promise<T> {
    drains.add(running);
    const forget = () => drains.delete(running);
    running.then(forget, forget);
    return running;
  }

  /** Starts every lane with due work and waits until they have run dry; resolves with how many messages they sent. */
  function drain(): Promise<number> {
    return track(
      start().then(async (joined) => {
        const results = await Promise.allSettled(joined);
        rethrowFirst(results);
        return results.reduce((n, r) => n + (r.status === 'fulfilled' ? r.value : 0), 0);
      }),
    );
  }

  /** Starts every lane with due work without waiting for them: a slow endpoint's lane must not hold up the caller (the job tick). */
  async function wake(): Promise<void> {
    await track(start());
  }

  /** Sends soon, without holding up the caller; kicks before the drain starts count once. */
  function kick(): void {
    if (stopped || kicked) return;
    kicked = true;
    setImmediate(() => {
      kicked = false;
      wake().catch((err) => log.error('outbox drain failed (the job retries)', err));
    });
  }

  /** Resolves once no drain, lane or kick is pending on this instance. */
  async function idle(): Promise<void> {
    while (kicked || drains.size > 0 || lanes.size > 0) {
      if (kicked) await new Promise<void>((resolve) => setImmediate(resolve));
      await Promise.allSettled([...drains, ...[...lanes.values()].map((l) => l.done)]);
    }
  }

  return {
    drain,
    wake,
    kick,
    idle,
    /** Lets the attempts in flight finish; starts none after them. */
    async stop() {
      stopped = true;
      await idle();
    },
  };
}

function rethrowFirst(results: PromiseSettledResult<unknown>[]): void {
  const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
  if (failed) throw failed.reason;
}
