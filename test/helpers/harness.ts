import { randomBytes } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createTRPCClient, httpLink, TRPCClientError } from '@trpc/client';
import superjson from 'superjson';
import { inject } from 'vitest';
import { parseEnv } from '../../server/env';
import { silentLogger } from '../../server/deps';
import { sha256, randomToken } from '../../server/lib/ids';
import { startKeywarden, type Keywarden } from '../../server/runtime';
import type { AppRouter } from '../../server/trpc/router';
import type { Role } from '../../shared/schemas/common';
import type { KeyEvents } from '../../server/services/key-events';

export const TEST_PEPPER = 'test-pepper-0123456789abcdefghijklmnopqrstuvwxyz';

/** A database name of the file's own, so test files never see each other's data. */
export function uniqueDbName(label: string): string {
  return `kwt_${label.replace(/[^A-Za-z0-9]/g, '').slice(0, 20)}_${randomBytes(4).toString('hex')}`;
}

export interface TestServer extends Keywarden {
  dbName: string;
  client(token?: string | null): ReturnType<typeof createTRPCClient<AppRouter>>;
  /** Drops the file's database and stops the server. */
  close(): Promise<void>;
}

/** A real Keywarden on a loopback port over the run's real database, in a database of its own. */
export async function startTestServer(options: {
  label: string;
  dbName?: string;
  /** A different database address (e.g. a proxy the test can cut). */
  mongoUri?: string;
  keyEvents?: KeyEvents;
  smtpUrl?: string;
  env?: Record<string, string>;
  jobs?: boolean;
  monitorCommands?: boolean;
}): Promise<TestServer> {
  const uri = options.mongoUri ?? inject('mongoUri');
  const dbName = options.dbName ?? uniqueDbName(options.label);
  const env = parseEnv({
    MONGODB_URI: uri,
    MONGODB_DB: dbName,
    HOST: '127.0.0.1',
    PORT: '0',
    DATA_DIR: mkdtempSync(join(tmpdir(), 'keywarden-srv-')),
    KEYWARDEN_PEPPER: TEST_PEPPER,
    SMTP_URL: options.smtpUrl,
    KEYWARDEN_SEED_DEMO: 'false',
    ...options.env,
  });
  const keywarden = await startKeywarden(env, {
    log: silentLogger,
    database: { uri, embedded: false, stop: async () => {} },
    jobs: options.jobs ?? false,
    monitorCommands: options.monitorCommands,
    keyEvents: options.keyEvents,
  });
  return {
    ...keywarden,
    dbName,
    client: (token) => trpcClient(keywarden.url, token ?? null),
    close: () => dropDatabaseAndStop(keywarden),
  };
}

/** Drops the server's database, then stops it: the end of a test server that owns its data. */
export async function dropDatabaseAndStop(keywarden: Keywarden): Promise<void> {
  await keywarden.storage.database.db.dropDatabase().catch(() => {});
  await keywarden.stop();
}

export function trpcClient(url: string, token: string | null, headers: Record<string, string> = {}) {
  return createTRPCClient<AppRouter>({
    links: [
      httpLink({
        url: `${url}/trpc`,
        methodOverride: 'POST',
        transformer: superjson,
        headers: () => ({ ...headers, ...(token ? { authorization: `Bearer ${token}` } : {}) }),
      }),
    ],
  });
}

/** Creates a session directly (tests that are not about sign-in skip the email round trip): a fixture builder, so it may use the storage handle. */
export async function sessionFor(server: Keywarden, userId: string): Promise<string> {
  const token = randomToken();
  const now = new Date();
  await server.storage.repos.auth.insertSession({ tokenHash: sha256(token), userId, createdAt: now, expiresAt: new Date(now.getTime() + 86_400_000) });
  return token;
}

export interface TestUser {
  userId: string;
  email: string;
  token: string;
  api: ReturnType<typeof trpcClient>;
}

/** A team with a super admin, and helpers to add members with sessions. */
export async function createTeam(server: TestServer, name = 'Acme') {
  const suffix = randomBytes(3).toString('hex');
  const adminEmail = `admin-${suffix}@example.test`;
  const { teamId, userId } = await server.services.teams.createTeamWithAdmin({ teamName: name, adminEmail });
  const token = await sessionFor(server, userId);
  const admin: TestUser = { userId, email: adminEmail, token, api: server.client(token) };
  return {
    teamId,
    admin,
    async addUser(label: string, role: Role = 'member'): Promise<TestUser> {
      const email = `${label}-${randomBytes(3).toString('hex')}@example.test`;
      const added = await server.services.teams.addMember({ teamId, email, role });
      const t = await sessionFor(server, added.userId);
      return { userId: added.userId, email, token: t, api: server.client(t) };
    },
  };
}

/** The tRPC error code of a rejected call, e.g. 'FORBIDDEN'. */
export async function errorCode(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
  } catch (err) {
    if (err instanceof TRPCClientError) return (err.data as { code?: string } | undefined)?.code ?? 'UNKNOWN';
    throw err;
  }
  throw new Error('expected the call to fail, but it succeeded');
}
