import { MongoServerError, type Db, type IndexDescription } from 'mongodb';
import type { Collections } from './collections';

/**
 * Indexes a real MongoDB needs for every list query's filter + sort. Only plain
 * and unique compound indexes: FerretDB v1 rejects TTL and partial ones (and
 * serves only `_id` equality from an index, so these cost it nothing).
 * Exported so a test can check that each list query is covered.
 */
export const INDEXES: Record<keyof Collections, IndexDescription[]> = {
  teams: [],
  users: [{ key: { email: 1 }, name: 'email_unique', unique: true }],
  memberships: [
    { key: { teamId: 1, role: 1 }, name: 'team_role' },
    { key: { userId: 1 }, name: 'user' },
  ],
  invitations: [
    { key: { userId: 1, state: 1, sentAt: -1 }, name: 'user_state_sent' },
    { key: { teamId: 1, state: 1, sentAt: -1 }, name: 'team_state_sent' },
  ],
  keys: [
    { key: { id: 1 }, name: 'public_id_unique', unique: true },
    { key: { teamId: 1, createdAt: -1, id: -1 }, name: 'team_created' },
    { key: { teamId: 1, lastUsedAt: -1, id: -1 }, name: 'team_last_used' },
    { key: { teamId: 1, ownerId: 1, createdAt: -1, id: -1 }, name: 'team_owner_created' },
    { key: { teamId: 1, ownerId: 1, lastUsedAt: -1, id: -1 }, name: 'team_owner_last_used' },
    { key: { teamId: 1, status: 1, expiresAt: 1 }, name: 'team_status_expiry' },
    { key: { status: 1, expiresAt: 1 }, name: 'status_expiry' },
    { key: { actionId: 1 }, name: 'action' },
    { key: { ownerId: 1, status: 1, expiresAt: 1 }, name: 'owner_status_expiry' },
    { key: { 'rotation.state': 1, 'rotation.graceEndsAt': 1 }, name: 'rotation_grace_end' },
    { key: { teamId: 1, externalId: 1 }, name: 'team_external_id' },
    { key: { teamId: 1, roles: 1 }, name: 'team_roles' },
  ],
  sessions: [{ key: { userId: 1 }, name: 'user' }],
  loginCodes: [{ key: { expiresAt: 1 }, name: 'expiry' }],
  rateLimits: [{ key: { expiresAt: 1 }, name: 'expiry' }],
  deviceTokens: [{ key: { expiresAt: 1 }, name: 'expiry' }],
  audit: [{ key: { teamId: 1, at: -1, _id: -1 }, name: 'team_at' }],
  actions: [{ key: { state: 1, createdAt: 1 }, name: 'state_created' }],
  notifications: [
    { key: { userId: 1, createdAt: -1, _id: -1 }, name: 'user_created' },
    { key: { userId: 1, teamId: 1, createdAt: -1, _id: -1 }, name: 'user_team_created' },
    { key: { userId: 1, readAt: 1 }, name: 'user_unread' },
  ],
  outbox: [
    { key: { state: 1, nextAttemptAt: 1 }, name: 'state_next' },
    { key: { teamId: 1, createdAt: -1 }, name: 'team_created' },
    { key: { teamId: 1, state: 1, createdAt: -1 }, name: 'team_state_created' },
  ],
  leases: [],
  marks: [{ key: { state: 1 }, name: 'state' }],
  revisions: [],
  keyChanges: [
    { key: { teamId: 1, seq: 1 }, name: 'team_seq' },
    { key: { at: 1 }, name: 'at' },
  ],
  usage: [
    { key: { keyId: 1, hour: 1 }, name: 'key_hour' },
    { key: { teamId: 1, hour: 1 }, name: 'team_hour' },
    { key: { hour: 1 }, name: 'hour' },
  ],
  keyRequests: [{ key: { teamId: 1, state: 1, createdAt: -1 }, name: 'team_state_created' }],
  leaks: [{ key: { teamId: 1, keyId: 1 }, name: 'team_key' }],
  canaryAlarms: [],
  webhookEndpoints: [{ key: { teamId: 1, enabled: 1 }, name: 'team_enabled' }],
  tokens: [
    { key: { id: 1 }, name: 'public_id_unique', unique: true },
    { key: { teamId: 1, createdAt: -1 }, name: 'team_created' },
  ],
  webhookAttempts: [{ key: { teamId: 1, endpointId: 1, at: -1, _id: -1 }, name: 'team_endpoint_at' }],
  roles: [{ key: { teamId: 1, name: 1 }, name: 'team_name' }],
  identities: [{ key: { teamId: 1, createdAt: -1, _id: -1 }, name: 'team_created' }],
};

/**
 * Creates the collections that are missing, one at a time, before anything reads or writes. A
 * collection created by its first write (a job's lease, the first revision, the first team) is a
 * CREATE TABLE in FerretDB's SQLite while requests run, and a query racing it there can fail with
 * "database schema has changed" (SQLite's SQLITE_SCHEMA; seen in CI at the first requests of a
 * fresh database). Another instance creating one at the same moment is not an error.
 */
export async function ensureCollections(db: Db, cols: Collections): Promise<void> {
  const existing = new Set((await db.listCollections({}, { nameOnly: true }).toArray()).map((c) => c.name));
  for (const col of Object.values(cols)) {
    if (existing.has(col.collectionName)) continue;
    await db.createCollection(col.collectionName).catch((err: unknown) => {
      if (!(err instanceof MongoServerError && err.code === NAMESPACE_EXISTS)) throw err;
    });
  }
}
/** MongoDB's NamespaceExists: the collection was created meanwhile (by another instance). */
const NAMESPACE_EXISTS = 48;

/**
 * Creates the indexes that are missing, one at a time. Re-sending existing
 * indexes in one createIndexes call crashes FerretDB v1's connection handler,
 * so existing ones (by name) are skipped.
 */
export async function ensureIndexes(cols: Collections): Promise<void> {
  for (const [name, indexes] of Object.entries(INDEXES) as [keyof Collections, IndexDescription[]][]) {
    if (indexes.length === 0) continue;
    const existing = new Set(
      (await cols[name].listIndexes().toArray().catch(() => [] as { name?: string }[])).map((i) => i.name),
    );
    for (const index of indexes) {
      if (!existing.has(index.name)) await cols[name].createIndexes([index]);
    }
  }
}
