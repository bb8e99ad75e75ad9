import { generateKey } from '../../shared/key-format';
import type { Keywarden } from '../../server/runtime';
import { newStoredKey } from '../../server/lib/stored-key';
import { hashKey } from '../../server/lib/ids';

/**
 * `count` enabled keys inserted straight through the storage handle, as bench/dashboard-data.ts
 * does: for tests about acting on thousands of keys, not about issuing them. Returns their ids.
 */
export async function seedManyKeys(server: Keywarden, team: { teamId: string; ownerId: string }, count: number, name = 'bulk'): Promise<string[]> {
  const now = Date.now();
  const ids: string[] = [];
  for (let start = 0; start < count; start += 1000) {
    const docs = [];
    for (let i = start; i < Math.min(count, start + 1000); i++) {
      const value = generateKey();
      const stored = newStoredKey(value, { ...team, name: `${name}-${String(i).padStart(5, '0')}`, createdAt: new Date(now - 60_000 + i), expiresAt: null, status: 'enabled', lastUsedAt: null });
      ids.push(stored.id);
      docs.push({ _id: hashKey(server.deps.pepper, value), ...stored, nameLower: stored.name.toLowerCase() });
    }
    await server.storage.cols.keys.insertMany(docs);
  }
  return ids;
}
