import type { KeyChangeEvent, KeyEvents, PolicyAppliedEvent } from '../../server/services/key-events';

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
