import { generateKey } from '../shared/key-format';
import type { BenchDeps as Deps } from './bench-deps';
import { newStoredKey } from '../server/lib/stored-key';
import { hashKey, newId } from '../server/lib/ids';
import type { Services } from '../server/services';

/**
 * The dashboard bench's data: one measured team (an admin and nine members
 * owning its keys) and, optionally, other teams of 1,000 keys and ten members
 * each. Keys are inserted straight into the collection (the bench measures
 * reading them, not issuing them), in every state a real team has.
 */
export interface MeasuredTeam {
  teamId: string;
  adminId: string;
  ownerIds: string[];
  /** One plaintext key, for the `_id` look-up baseline. */
  sampleKey: string;
}

const DAY = 86_400_000;
const BATCH = 1000;

/** Key `i` of a team: its name is searchable (`svc-00042`), its state spread like a real team's. */
function keyDoc(deps: Deps, teamId: string, ownerId: string, i: number, now: number) {
  const value = generateKey();
  const state = i % 10;
  const expiresAt = state === 7 ? new Date(now - (i % 30) * DAY) : state >= 8 ? new Date(now + ((i % 90) + 1) * DAY) : null;
  const stored = newStoredKey(value, {
    teamId,
    ownerId,
    name: `svc-${String(i).padStart(5, '0')} ${['deploy', 'ci', 'metrics', 'backup'][i % 4]}`,
    createdAt: new Date(now - 400 * DAY + i * 60_000),
    expiresAt,
    status: state === 5 ? 'disabled' : state === 6 ? 'revoked' : 'enabled',
    lastUsedAt: i % 5 < 3 ? new Date(now - (i % 1000) * 3_600_000) : null,
  });
  return { value, doc: { _id: hashKey(deps.pepper, value), ...stored, nameLower: stored.name.toLowerCase() } };
}

async function insertKeys(deps: Deps, teamId: string, ownerIds: string[], count: number): Promise<string> {
  const now = Date.now();
  let sample = '';
  for (let start = 0; start < count; start += BATCH) {
    const docs = [];
    for (let i = start; i < Math.min(count, start + BATCH); i++) {
      const { value, doc } = keyDoc(deps, teamId, ownerIds[i % ownerIds.length]!, i, now);
      if (i === Math.floor(count / 2)) sample = value;
      docs.push(doc);
    }
    await deps.storage.cols.keys.insertMany(docs);
  }
  return sample;
}

export async function seedMeasuredTeam(deps: Deps, services: Services, keys: number): Promise<MeasuredTeam> {
  const tag = newId('team').slice(5, 13).toLowerCase();
  const { teamId, userId: adminId } = await services.teams.createTeamWithAdmin({ teamName: `Bench ${keys}`, adminEmail: `admin-${tag}@bench.test` });
  const ownerIds = [adminId];
  for (let m = 1; m < 10; m++) ownerIds.push((await services.teams.addMember({ teamId, email: `member${m}-${tag}@bench.test`, role: 'member' })).userId);
  const sampleKey = await insertKeys(deps, teamId, ownerIds, keys);
  return { teamId, adminId, ownerIds, sampleKey };
}

/** Other teams' keys, with their users and memberships (user and membership look-ups read those collections too). */
export async function seedOtherTeams(deps: Deps, keys: number): Promise<void> {
  const now = new Date();
  for (let t = 0; t * 1000 < keys; t++) {
    const teamId = newId('team');
    const users = Array.from({ length: 10 }, (_, u) => ({ _id: newId('usr'), email: `u${u}-${teamId.toLowerCase()}@other.test`, name: `User ${u}`, createdAt: now }));
    await deps.storage.cols.users.insertMany(users);
    await deps.storage.cols.memberships.insertMany(users.map((u, i) => ({ _id: `${teamId}:${u._id}`, teamId, userId: u._id, role: i === 0 ? ('super_admin' as const) : ('member' as const), joinedAt: now })));
    await insertKeys(deps, teamId, users.map((u) => u._id), Math.min(1000, keys - t * 1000));
  }
}
