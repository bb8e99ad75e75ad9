import { describe, expect, it } from 'vitest';
import { appRouter } from '../../server/trpc/router';

/**
 * Answers are checked like inputs: every procedure of these routers declares its output schema
 * (from shared/), so a service that answers something else fails on the server, not in a client.
 */
const CHECKED = ['keys', 'settings', 'members', 'audit', 'usage', 'leaks'];

describe('output schemas', () => {
  it('are declared on every keys, settings, members, audit, usage and leaks procedure', () => {
    const procedures = appRouter._def.procedures as unknown as Record<string, { _def: { output?: unknown } }>;
    const checked = Object.keys(procedures).filter((path) => CHECKED.includes(path.split('.')[0]!));
    expect(checked.length).toBeGreaterThan(20);
    expect(checked.filter((path) => procedures[path]!._def.output === undefined)).toEqual([]);
  });
});
