import { expect } from 'vitest';
import type { CommandStartedEvent } from 'mongodb';
import type { z } from 'zod';
import { hashKey } from '../../server/lib/ids';
import type { CreditsSchema } from '../../shared/schemas/limits';
import { createTeam, startTestServer, type TestServer } from './harness';

/** Helpers of the credit-slice tests: keys with credits, verifies over several instances, the stored balance. */
export type CreditAnswer = { valid: boolean; code?: string; credits?: { remaining: number } | null };

// One test address sends everything: lift the per-address verify budget so only the key's credits speak.
export const LIMITS_ENV = { VERIFY_RATE_LIMIT_PER_IP: '1000000', VERIFY_CONCURRENCY_PER_IP: '1000' };
export const peerOf = (of: TestServer, label: string) => startTestServer({ label, env: { ...LIMITS_ENV, MONGODB_DB: of.dbName } });

export async function verifyOn(server: TestServer, body: Record<string, unknown>): Promise<CreditAnswer> {
  const res = await fetch(`${server.url}/v1/keys/verify`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  expect(res.status).toBe(200);
  return (await res.json()) as CreditAnswer;
}

export async function keyWithCredits(server: TestServer, team: Awaited<ReturnType<typeof createTeam>>, name: string, credits: z.input<typeof CreditsSchema>) {
  const { key, row } = await team.admin.api.keys.create.mutate({ teamId: team.teamId, name, credits });
  return { key, keyId: row.id, hash: hashKey(server.deps.pepper, key) };
}

/** The balance as stored (other instances' unspent slices are not in it). */
export async function storedOf(server: TestServer, hash: string): Promise<number> {
  return (await server.storage.repos.limits.creditsOf(hash))!.remaining;
}

/** `calls` verifies of `key` from `clients` concurrent clients, spread over `servers`; each answer goes to `seen`. */
export async function spread(servers: TestServer[], key: string, calls: number, seen: (a: CreditAnswer) => void | Promise<void> = () => {}, clients = 40) {
  let next = 0;
  let admitted = 0;
  await Promise.all(
    Array.from({ length: clients }, async () => {
      while (next < calls) {
        const call = next++;
        const answer = await verifyOn(servers[call % servers.length]!, { key });
        if (answer.valid) admitted++;
        else expect(answer).toEqual({ valid: false, code: 'USAGE_EXCEEDED', credits: { remaining: 0 } });
        await seen(answer);
      }
    }),
  );
  return admitted;
}

/** Counts the conditional writes (`findAndModify`) an instance sends to the keys: one per exact spend or reservation. */
export function keyWrites(server: TestServer): () => number {
  let n = 0;
  server.storage.database.client.on('commandStarted', (e: CommandStartedEvent) => {
    if (e.commandName === 'findAndModify' && e.command.findAndModify === 'keys') n++;
  });
  return () => n;
}
