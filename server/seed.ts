import { DAY_MS as DAY, HOUR_MS } from '../shared/time';
import type { Deps } from './deps';
import type { Services } from './services';
import { systemActor } from './services/actor';

export const DEMO_ADMIN = 'admin@demo.keywarden.test';

/**
 * The first start on an empty embedded database seeds a demo team so there is
 * something to look at: an admin, two members, and keys in every state.
 * Returns null when the database already has a team.
 */
export async function seedDemo(deps: Deps, services: Services): Promise<{ teamId: string; adminEmail: string } | null> {
  if (await services.teams.anyTeamExists()) return null;
  const { teamId, userId: adminId } = await services.teams.createTeamWithAdmin({ teamName: 'Demo Team', adminEmail: DEMO_ADMIN, adminName: 'Ada Admin' });
  const alice = await services.teams.addMember({ teamId, email: 'alice@demo.keywarden.test', role: 'member', name: 'Alice Member' });
  const bob = await services.teams.addMember({ teamId, email: 'bob@demo.keywarden.test', role: 'member', name: 'Bob Member' });

  const now = deps.now().getTime();
  const keys: { owner: string; name: string; status: 'enabled' | 'disabled' | 'revoked'; createdDaysAgo: number; expiresInDays: number | null }[] = [
    { owner: adminId, name: 'CI deploy bot', status: 'enabled', createdDaysAgo: 40, expiresInDays: null },
    { owner: alice.userId, name: 'Alice laptop', status: 'enabled', createdDaysAgo: 20, expiresInDays: 60 },
    { owner: alice.userId, name: 'Alice staging', status: 'disabled', createdDaysAgo: 15, expiresInDays: null },
    { owner: bob.userId, name: 'Bob old script', status: 'revoked', createdDaysAgo: 90, expiresInDays: null },
    { owner: bob.userId, name: 'Bob trial', status: 'enabled', createdDaysAgo: 35, expiresInDays: -5 },
    { owner: bob.userId, name: 'Bob metrics', status: 'enabled', createdDaysAgo: 27, expiresInDays: 3 },
  ];
  for (const k of keys) {
    await services.keys.importKey({
      teamId,
      ownerId: k.owner,
      name: k.name,
      status: k.status,
      createdAt: new Date(now - k.createdDaysAgo * DAY),
      expiresAt: k.expiresInDays === null ? null : new Date(now + k.expiresInDays * DAY),
      lastUsedAt: k.status === 'enabled' ? new Date(now - k.createdDaysAgo * HOUR_MS) : null,
      revokedBy: adminId,
    });
  }
  await services.audit.record({ teamId, action: 'member.added', actor: systemActor, targetIds: [alice.userId, bob.userId], details: { seed: 'demo' } });
  return { teamId, adminEmail: DEMO_ADMIN };
}
