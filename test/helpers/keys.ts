import type { Keywarden } from '../../server/runtime';
import type { StoredKey } from '../../server/db/keys.repo';

export { HOUR_MS as HOUR, DAY_MS as DAY } from '../../shared/time';

export interface SeedKey {
  teamId: string;
  ownerId: string;
  name?: string;
  status?: 'enabled' | 'disabled' | 'revoked';
  createdAt?: Date;
  expiresAt?: Date | null;
  lastUsedAt?: Date | null;
}

/**
 * A key in any state (backdated, expired, disabled, revoked) through the keys service's import,
 * without audit or notices: tests that are not about issuing keys skip the API.
 */
export async function seedKey(server: Keywarden, k: SeedKey): Promise<{ id: string; value: string; stored: StoredKey }> {
  return server.services.keys.importKey({ ...k, name: k.name ?? `key ${Math.random().toString(36).slice(2, 8)}`, createdAt: k.createdAt ?? new Date(), expiresAt: k.expiresAt ?? null });
}

export async function verifyKey(server: Keywarden, key: string): Promise<{ valid: boolean; code?: string }> {
  const res = await fetch(`${server.url}/v1/keys/verify`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ key }) });
  return res.json() as Promise<{ valid: boolean; code?: string }>;
}
