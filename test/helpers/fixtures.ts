import type { AuditAction } from '../../shared/schemas/audit';
import type { KeyRow } from '../../shared/schemas/key';
import type { Keywarden } from '../../server/runtime';
import type { Actor } from '../../server/services/actor';
import type { SettingsChange } from '../../server/services/settings.service';

/**
 * Fixture builders and read-backs for tests that are not about storage. Arranging goes through
 * services where a service can do it; the few states no service may produce on demand (a key whose
 * expiry has already passed, a key created long ago, a sign-in code past its lifetime) are written
 * here, through the storage handle, so the test files themselves never touch the database.
 */

interface TeamAdmin {
  teamId: string;
  admin: { userId: string; email: string };
}

/** The team's super admin as the actor of a service call (what the router would build). */
export const adminActor = (team: TeamAdmin): Actor => ({ userId: team.admin.userId, email: team.admin.email, role: 'super_admin', ip: null, userAgent: 'keywarden-test' });

/** Changes team settings the way an admin does (audited; a cap is applied to existing keys). */
export async function setTeamSettings(server: Keywarden, team: TeamAdmin, change: SettingsChange) {
  return server.services.settings.update(adminActor(team), team.teamId, change);
}

/** Moves a key's expiry into the past (by default 1 ms ago): no API lets a key expire before its time. */
export async function expireKey(server: Keywarden, keyId: string, at: Date = new Date(Date.now() - 1)): Promise<void> {
  await server.storage.cols.keys.updateOne({ id: keyId }, { $set: { expiresAt: at } });
}

/** Every sign-in code issued so far stops being valid now (as if its lifetime had passed). */
export async function expireLoginCodes(server: Keywarden): Promise<void> {
  await server.storage.cols.loginCodes.updateMany({}, { $set: { expiresAt: new Date(Date.now() - 1000) } });
}

/** The team's audit records through the audit service, oldest first, optionally of one action. */
export async function auditOf(server: Keywarden, teamId: string, action?: AuditAction) {
  const items: Awaited<ReturnType<Keywarden['services']['audit']['list']>>['items'] = [];
  let cursor: string | undefined;
  do {
    const page = await server.services.audit.list(teamId, cursor, 200);
    items.push(...page.items);
    cursor = page.nextCursor ?? undefined;
  } while (cursor);
  return items.reverse().filter((a) => action === undefined || a.action === action);
}

/** A key as an admin's list shows it (effective status), or null when the team has no such key. */
export async function keyRowOf(server: Keywarden, teamId: string, keyId: string): Promise<KeyRow | null> {
  let cursor: string | undefined;
  do {
    const page = await server.services.keysAdmin.list({ teamId, view: ['enabled', 'disabled', 'revoked'], sort: 'newest', limit: 100, cursor });
    const row = page.items.find((k) => k.id === keyId);
    if (row) return row;
    cursor = page.nextCursor ?? undefined;
  } while (cursor);
  return null;
}

/**
 * A key as stored: the recorded fields no API returns (who revoked it, the stored status of an
 * expired key, the bulk action that changed it). For tests that check what was recorded.
 */
export const storedKey = (server: Keywarden, teamId: string, keyId: string) => server.storage.repos.keys.findByPublicId(teamId, keyId);

/** The account with this email as stored, or null: no API lists people outside one's teams. */
export const storedUserByEmail = (server: Keywarden, email: string) => server.storage.repos.users.findByEmail(email);

/** How many of the team's keys carry exactly this name, as an admin's list shows them. */
export async function countKeysNamed(server: Keywarden, teamId: string, name: string): Promise<number> {
  const page = await server.services.keysAdmin.list({ teamId, view: ['enabled', 'disabled', 'revoked'], search: name, sort: 'newest', limit: 100 });
  return page.items.filter((k) => k.name === name).length;
}

/** A user's in-app notices through the notifications service, oldest first. */
export async function noticesOf(server: Keywarden, userId: string) {
  const items: Awaited<ReturnType<Keywarden['services']['notifications']['list']>>['items'] = [];
  let cursor: string | undefined;
  do {
    const page = await server.services.notifications.list(userId, { cursor, limit: 100 });
    items.push(...page.items);
    cursor = page.nextCursor ?? undefined;
  } while (cursor);
  return items.reverse();
}

/** Keys as stored, the payload key events carry (tests that replay an event to the notifier build it from these). */
export const storedKeys = (server: Keywarden, teamId: string, keyIds: string[]) => server.storage.repos.keys.findManyByPublicIds(teamId, keyIds);

/** The keys one bulk action changed, as stored (the payload of that action's key event). */
export const storedKeysOfAction = (server: Keywarden, actionId: string) => server.storage.repos.keys.findByAction(actionId);

/** Every key of the team as stored (stored status, not effective), for tests that check what a bulk change recorded. */
export const storedKeysOfTeam = (server: Keywarden, teamId: string) => server.storage.cols.keys.find({ teamId }).toArray();
