import { describe, expect, it } from 'vitest';
import { appRouter } from '../../server/trpc/router';

/**
 * Answers are checked like inputs: every procedure declares its output schema (from shared/),
 * so a field a service adds by mistake (a secret, a hash, an internal flag) is stripped on the
 * server, and a service that answers something else fails there, not in a client.
 */
describe('output schemas', () => {
  it('are declared on every procedure of every router', () => {
    const procedures = appRouter._def.procedures as unknown as Record<string, { _def: { output?: unknown } }>;
    const paths = Object.keys(procedures);
    expect(paths.length).toBeGreaterThan(60);
    expect(paths.filter((path) => procedures[path]!._def.output === undefined)).toEqual([]);
  });
});
