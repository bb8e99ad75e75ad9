import WebSocket from 'ws';
import type { Keywarden } from '../../server/runtime';
import type { Role } from '../../shared/schemas/common';
import type { PushServerMessage } from '../../shared/schemas/alerts';
import { startTestServer, type TestServer } from './harness';

export const DAY = 24 * 60 * 60_000;

/** Moves a server's clock (every service reads `deps.now()`) by `ms` from real time. */
export function setClock(server: Keywarden, offsetMs: number) {
  server.deps.now = () => new Date(Date.now() + offsetMs);
}

/** A second server instance over the same database (another "node" of the deployment). */
export function startPeer(of: TestServer, label: string, smtpUrl?: string): Promise<TestServer> {
  return startTestServer({ label, smtpUrl, env: { MONGODB_DB: of.dbName } });
}

/** Issues a key the ordinary way (as its owner), returning its public id, name and hint. */
export async function issueKey(server: Keywarden, owner: { userId: string; email: string; role?: Role }, teamId: string, name: string, expiresInDays?: number) {
  const { row } = await server.services.keys.create(
    { userId: owner.userId, email: owner.email, role: owner.role ?? 'member', ip: null, userAgent: null },
    { teamId, name, ...(expiresInDays ? { expiresInDays } : {}) },
  );
  return { id: row.id, name: row.name, hint: row.hint };
}

export const adminActor = (admin: { userId: string; email: string }) => ({
  userId: admin.userId,
  email: admin.email,
  role: 'super_admin' as const,
  ip: '127.0.0.1',
  userAgent: 'vitest',
});

/** Polls `check` every 50 ms until it returns something truthy; the deadline is generous for a loaded CI machine. */
export async function until<T>(check: () => Promise<T | null | undefined | false> | T | null | undefined | false, timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`condition not met within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/**
 * Runs each instance's outbox to completion: waits for drains that kicks started, then drains
 * once more, so every message due by now is sent (or has its failed attempt recorded). What the
 * SMTP sink holds afterwards is final: a test can assert that something was NOT sent.
 */
export async function settleOutbox(...servers: Keywarden[]): Promise<void> {
  await Promise.all(servers.map((s) => s.services.outbox.idle()));
  await Promise.all(servers.map((s) => s.services.outbox.drain()));
  await Promise.all(servers.map((s) => s.services.outbox.idle()));
}

/** A push client as the extension's service worker would open it. */
export async function openAlertsSocket(server: Keywarden, token: string) {
  const ws = new WebSocket(`${server.url.replace(/^http/, 'ws')}/v1/alerts/ws`);
  const messages: PushServerMessage[] = [];
  let closeCode: number | null = null;
  ws.on('message', (data) => messages.push(JSON.parse(data.toString())));
  ws.on('close', (code) => (closeCode = code));
  await new Promise<void>((resolve, reject) => {
    ws.once('open', () => resolve());
    ws.once('error', reject);
  });
  ws.send(JSON.stringify({ type: 'auth', token }));
  await until(() => messages.length > 0 || closeCode !== null);
  const pongs = () => messages.filter((m) => m.type === 'pong').length;
  return {
    ws,
    messages,
    closeCode: () => closeCode,
    changes: () => messages.filter((m) => m.type === 'changed').length,
    /**
     * A ping answered by a pong: the server sends on one connection in order, so once the pong is
     * here, everything it sent this client before reading the ping has arrived too.
     */
    async roundTrip() {
      const before = pongs();
      ws.send(JSON.stringify({ type: 'ping' }));
      await until(() => pongs() > before);
    },
    close: () => ws.close(),
  };
}
