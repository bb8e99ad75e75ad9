import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { KeyStatus, RevokedReason } from '../../shared/schemas/key';
import type { KeyDoc } from '../../server/db/collections';
import { effectiveStatus, effectiveStatusFilter, liveFilter, NOT_REVOKED, verifyRefusal } from '../../server/db/effective-status';
import { startTestServer, type TestServer } from '../helpers/harness';

/**
 * About storage: the in-memory effective status (rows, verify, the action engine) and the query
 * filter (lists, counts, live keys) are one rule written twice in two languages. Every stored
 * status, with every kind of expiry around `now` (none, past, exactly now, future), is written
 * to the database and asked for both ways: the answers must agree on every case.
 */
let server: TestServer;
const TEAM = 'team_effectivestatus';
const NOW = new Date('2030-06-15T12:00:00.000Z');
const EXPIRIES: Record<string, Date | null> = {
  none: null,
  past: new Date(NOW.getTime() - 60_000),
  now: NOW,
  justAfter: new Date(NOW.getTime() + 1),
  future: new Date(NOW.getTime() + 86_400_000),
};
const STATUSES: { status: KeyDoc['status']; revokedReason: RevokedReason | null }[] = [
  { status: 'enabled', revokedReason: null },
  { status: 'disabled', revokedReason: null },
  { status: 'revoked', revokedReason: 'manual' },
  { status: 'revoked', revokedReason: 'expired' },
];
const CASES = STATUSES.flatMap((s) => Object.entries(EXPIRIES).map(([label, expiresAt]) => ({ id: `key_${s.status}_${s.revokedReason}_${label}`, ...s, expiresAt })));

beforeAll(async () => {
  server = await startTestServer({ label: 'effectivestatus' });
  await server.storage.cols.keys.insertMany(
    CASES.map((c) => ({
      _id: `hash_${c.id}`,
      id: c.id,
      teamId: TEAM,
      ownerId: 'usr_x',
      name: c.id,
      nameLower: c.id,
      hint: 'kw_…0000',
      status: c.status,
      disabledReason: c.status === 'disabled' ? 'manual' : null,
      revokedReason: c.revokedReason,
      revokedAt: c.status === 'revoked' ? new Date(NOW.getTime() - 3_600_000) : null,
      revokedBy: null,
      actionId: null,
      createdAt: new Date(NOW.getTime() - 7 * 86_400_000),
      expiresAt: c.expiresAt,
      lastUsedAt: null,
    })),
  );
});
afterAll(() => server?.close());

const idsMatching = async (filter: object) =>
  (await server.storage.cols.keys.find({ teamId: TEAM, ...filter }, { projection: { id: 1 } }).toArray()).map((d) => d.id).sort();

describe('effective status', () => {
  it.each<KeyStatus>(['enabled', 'disabled', 'revoked'])('finds in the database exactly the keys the in-memory check calls %s', async (status) => {
    const expected = CASES.filter((c) => effectiveStatus(c, NOW).status === status).map((c) => c.id).sort();
    expect(expected.length).toBeGreaterThan(0);
    expect(await idsMatching(effectiveStatusFilter(status, NOW))).toEqual(expected);
  });

  it('puts every key in exactly one status, in memory and in the database', async () => {
    const found = await Promise.all((['enabled', 'disabled', 'revoked'] as const).map((s) => idsMatching(effectiveStatusFilter(s, NOW))));
    expect(found.flat().sort()).toEqual(CASES.map((c) => c.id).sort());
  });

  it('calls live exactly the keys that are not effectively revoked', async () => {
    const expected = CASES.filter((c) => effectiveStatus(c, NOW).status !== 'revoked').map((c) => c.id).sort();
    expect(await idsMatching(liveFilter(NOW))).toEqual(expected);
  });

  it('refuses at verify exactly the keys that are not effectively enabled, expired ones as EXPIRED', () => {
    for (const c of CASES) {
      const shown = effectiveStatus(c, NOW);
      const refusal = verifyRefusal(c, NOW);
      expect(refusal === null, c.id).toBe(shown.status === 'enabled');
      if (c.status !== 'revoked' && shown.status === 'revoked') expect(refusal, c.id).toBe('EXPIRED');
    }
  });

  it('counts an expiry equal to now as expired, in memory and in the database', async () => {
    expect(effectiveStatus({ status: 'enabled', expiresAt: NOW, revokedReason: null }, NOW)).toEqual({ status: 'revoked', revokedReason: 'expired' });
    expect(await idsMatching({ ...effectiveStatusFilter('revoked', NOW), id: 'key_enabled_null_now' })).toEqual(['key_enabled_null_now']);
  });

  it('tells stored revocations apart from the rest with NOT_REVOKED', async () => {
    const expected = CASES.filter((c) => c.status !== 'revoked').map((c) => c.id).sort();
    expect(await idsMatching({ status: NOT_REVOKED })).toEqual(expected);
  });
});
