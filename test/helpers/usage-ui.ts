import type { KeyRow } from '../../shared/schemas/key';
import type { KeyUsage } from '../../shared/schemas/usage';
import { keyRow } from './key-row';

/** Fixtures of the extension's usage tests: rows owned by Mia, and a key's usage by day, as the server sends them. */
export const PATIENT = { timeout: 30_000 };
export const MIN = 60_000;
export const DAY = 86_400_000;
const owner = { userId: 'usr_1', email: 'mia@example.test', name: 'Mia', role: 'member' as const };
export const row = (id: string, over: Partial<KeyRow> = {}): KeyRow => keyRow({ id, name: `key ${id}`, generatedBy: owner, ...over });
export const noFail = { REVOKED: 0, DISABLED: 0, EXPIRED: 0 };
export const noDeny = { RATE_LIMITED: 0, USAGE_EXCEEDED: 0, FORBIDDEN: 0, INSUFFICIENT_PERMISSIONS: 0 };

export function usage7d(keyId: string, valid: number[], over: Partial<KeyUsage> = {}): KeyUsage {
  return {
    keyId,
    range: '7d',
    bucket: 'day',
    buckets: valid.map((v, i) => ({ at: new Date(Date.UTC(2026, 2, 4 + i)), valid: v, failed: noFail, denied: noDeny, distinctIps: v ? 1 : 0 })),
    totals: { valid: valid.reduce((a, b) => a + b, 0), failed: noFail, denied: noDeny },
    distinctIps: 1,
    distinctIpsCapped: false,
    lastUsedAt: null,
    lastIp: null,
    lastUserAgent: null,
    lastFailure: null,
    ...over,
  };
}
