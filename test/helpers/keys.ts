import { generateKey } from '../../shared/key-format';
import { hashKey } from '../../server/lib/ids';
import type { Keywarden } from '../../server/runtime';
import { newStoredKey, type StoredKey } from '../../server/db/keys.repo';

export const HOUR = 3_600_000;
export const DAY = 24 * HOUR;

export interface SeedKey {
  teamId: string;
  ownerId: string;
  name?: string;
  status?: 'enabled' | 'disabled' | 'revoked';
  createdAt?: Date;
  expiresAt?: Date | null;
  lastUsedAt?: Date | null;
}

/** Inserts a key straight through the repo (tests that are not about issuing keys skip the API). */
export async function seedKey(server: Keywarden, k: SeedKey): Promise<{ id: string; value: string; stored: StoredKey }> {
  const value = generateKey();
  const stored = newStoredKey(value, { ...k, name: k.name ?? `key ${value.slice(-6)}`, createdAt: k.createdAt ?? new Date(), expiresAt: k.expiresAt ?? null });
  await server.services.repos.keys.insert(hashKey(server.deps.pepper, value), stored);
  return { id: stored.id, value, stored };
}

export async function verifyKey(server: Keywarden, key: string): Promise<{ valid: boolean; code?: string }> {
  const res = await fetch(`${server.url}/v1/keys/verify`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ key }) });
  return res.json() as Promise<{ valid: boolean; code?: string }>;
}
