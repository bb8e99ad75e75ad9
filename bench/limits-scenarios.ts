import { generateKey } from '../shared/key-format';
import { newStoredKey } from '../server/lib/stored-key';
import { hashKey, newId } from '../server/lib/ids';
import { storedCredits } from '../server/services/credits';
import type { BenchDeps } from './bench-deps';

/**
 * Issue 25's verify scenarios: `verify_ratelimited`, a key with one auto-applied limit that the run
 * never reaches (the cost of the window bookkeeping: a slice reserved from the database now and
 * then, spent in memory), and `verify_credits`, a key whose every verify spends a credit (of a
 * large balance: spent from slices reserved with one conditional `$inc` each, credit-slices.ts).
 */
export async function seedLimitScenarios(deps: BenchDeps, base: string): Promise<{ name: string; url: string; body: string }[]> {
  const teamId = newId('team');
  const ownerId = newId('usr');
  const now = new Date();
  const make = async (name: string, limits: object) => {
    const key = generateKey();
    const stored = newStoredKey(key, { teamId, ownerId, name, createdAt: now, expiresAt: null });
    await deps.storage.cols.keys.insertOne({ _id: hashKey(deps.pepper, key), ...stored, nameLower: name, ...limits });
    return key;
  };
  const ratelimited = await make('bench ratelimited', { ratelimits: [{ name: 'bench', limit: 1_000_000_000, durationMs: 60_000, autoApply: true }] });
  const credits = await make('bench credits', { credits: storedCredits({ remaining: 1_000_000_000, refill: null }, now) });
  return [
    { name: 'verify_ratelimited', url: `${base}/v1/keys/verify`, body: JSON.stringify({ key: ratelimited }) },
    { name: 'verify_credits', url: `${base}/v1/keys/verify`, body: JSON.stringify({ key: credits }) },
  ];
}

/** The targets of these scenarios, as ratios to the baseline of the same run. */
export const LIMIT_TARGETS = { verify_ratelimited: 0.7, verify_credits: 0.3 } as const;
