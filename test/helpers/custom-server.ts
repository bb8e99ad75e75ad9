import type { KeyChangeEvent, KeyEvents, PolicyAppliedEvent } from '../../server/services/key-events';
import { startTestServer, type TestServer } from './harness';

/** A KeyEvents that remembers every event (the notifier behind it is someone else's test). */
export function recordingKeyEvents() {
  const changes: KeyChangeEvent[] = [];
  const policies: PolicyAppliedEvent[] = [];
  const events: KeyEvents = {
    keysChanged: async (e) => void changes.push(e),
    policyApplied: async (e) => void policies.push(e),
  };
  return { events, changes, policies };
}

/**
 * Like startTestServer, but with a KeyEvents override and optionally a
 * different database address (e.g. a proxy the test can cut).
 */
export function startCustomServer(options: { label: string; keyEvents?: KeyEvents; mongoUri?: string }): Promise<TestServer> {
  return startTestServer(options);
}
