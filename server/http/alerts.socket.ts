import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type RawData, type WebSocket } from 'ws';
import { PushClientMessageSchema, type PushServerMessage } from '../../shared/schemas/alerts';
import type { Deps } from '../deps';
import type { Services } from '../services';

/**
 * Push for the extension's service worker: `GET /v1/alerts/ws` (WebSocket).
 *
 * Browsers cannot set headers on a WebSocket, so the first message
 * authenticates: `{ "type": "auth", "token": "<session token>" }` -> `{ "type":
 * "ready" }` (or an error and close code 4401). After that the server sends
 * `{ "type": "changed", "at" }` whenever the caller's alerts may have changed;
 * the client then calls `alerts.summary({ etag })`. Notices written by this
 * instance arrive at once (in-process bus); those written by other instances
 * within `checkIntervalMs` (a periodic query). The server sends `{ "type":
 * "ping" }` every `pingIntervalMs`: that traffic keeps a Chrome (>= 116)
 * service worker alive; a client may send `{ "type": "ping" }` and gets a pong.
 */
export const ALERTS_SOCKET_PATH = '/v1/alerts/ws';

export interface AlertsSocketOptions {
  checkIntervalMs: number;
  pingIntervalMs: number;
  authTimeoutMs: number;
}

type UpgradeServer = { on(event: 'upgrade', listener: (req: IncomingMessage, socket: Duplex, head: Buffer) => void): unknown };

export function attachAlertsSocket(server: UpgradeServer, deps: Deps, services: Services, overrides: Partial<AlertsSocketOptions> = {}) {
  const options: AlertsSocketOptions = { checkIntervalMs: 3_000, pingIntervalMs: 20_000, authTimeoutMs: 10_000, ...overrides };
  const wss = new WebSocketServer({ noServer: true, maxPayload: 4 * 1024 });
  const users = new Map<WebSocket, string>();
  const send = (ws: WebSocket, message: PushServerMessage) => {
    if (ws.readyState === ws.OPEN) ws.send(JSON.stringify(message));
  };
  const notify = (userIds: Iterable<string>) => {
    const changed = new Set(userIds);
    const at = deps.now().toISOString();
    for (const [ws, userId] of users) if (changed.has(userId)) send(ws, { type: 'changed', at });
  };

  server.on('upgrade', (req, socket, head) => {
    if (new URL(req.url ?? '/', 'http://localhost').pathname !== ALERTS_SOCKET_PATH) {
      socket.destroy();
      return;
    }
    wss.handleUpgrade(req, socket, head, (ws) => onConnection(ws));
  });

  function onConnection(ws: WebSocket) {
    const authTimer = setTimeout(() => ws.close(4401, 'authenticate first'), options.authTimeoutMs);
    ws.on('error', () => {});
    ws.on('close', () => {
      clearTimeout(authTimer);
      users.delete(ws);
    });
    ws.on('message', (data: RawData) => {
      let parsed;
      try {
        parsed = PushClientMessageSchema.safeParse(JSON.parse(data.toString()));
      } catch {
        parsed = null;
      }
      if (!parsed?.success) {
        send(ws, { type: 'error', code: 'BAD_MESSAGE', message: 'Send {"type":"auth","token":"…"} or {"type":"ping"}.' });
        return;
      }
      const message = parsed.data;
      if (message.type === 'ping') return send(ws, { type: 'pong' });
      services.auth.resolveSession(message.token).then(
        (session) => {
          if (!session) {
            send(ws, { type: 'error', code: 'UNAUTHORIZED', message: 'Sign in first (your session is missing or has expired).' });
            ws.close(4401, 'unauthorized');
            return;
          }
          clearTimeout(authTimer);
          users.set(ws, session.user.id);
          send(ws, { type: 'ready' });
        },
        (err) => {
          deps.log.error('alerts socket: session check failed', err);
          ws.close(1011, 'try again');
        },
      );
    });
  }

  const unsubscribe = services.alertsBus.subscribe((userId) => notify([userId]));

  // Notices written by other server instances: one query per tick for all connected users.
  let lastCheck = deps.now();
  let checking = false;
  const checkTimer = setInterval(() => {
    if (checking || users.size === 0) {
      lastCheck = deps.now();
      return;
    }
    checking = true;
    const now = deps.now();
    // Overlap the previous window a little: a write can land with a slightly older timestamp.
    const since = new Date(lastCheck.getTime() - 2_000);
    services.alerts
      .changedSince([...new Set(users.values())], since)
      .then(notify, (err) => deps.log.error('alerts socket: check failed', err))
      .finally(() => {
        lastCheck = now;
        checking = false;
      });
  }, options.checkIntervalMs);
  const pingTimer = setInterval(() => {
    for (const ws of users.keys()) send(ws, { type: 'ping' });
  }, options.pingIntervalMs);
  checkTimer.unref();
  pingTimer.unref();

  return {
    connections: () => users.size,
    close() {
      clearInterval(checkTimer);
      clearInterval(pingTimer);
      unsubscribe();
      for (const ws of wss.clients) ws.terminate();
      wss.close();
    },
  };
}
export type AlertsSocket = ReturnType<typeof attachAlertsSocket>;
