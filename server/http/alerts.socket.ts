import { STATUS_CODES, type IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type RawData, type WebSocket } from 'ws';
import { PushClientMessageSchema, type PushServerMessage } from '../../shared/schemas/alerts';
import type { Deps } from '../deps';
import { clientIp, isExtensionOrigin } from '../lib/caller';
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
 *
 * Who may connect: a browser must come from an extension origin, by the same rule
 * as CORS (403 otherwise). A handshake without `Origin` is admitted: browsers
 * always send one, and only a browser can be made to open a socket on someone
 * else's behalf, while a non-browser client could send any origin it liked. An
 * address may hold `maxUnauthenticatedPerIp` sockets that have not signed in yet
 * (429 beyond); a session may hold `maxPerSession` signed-in sockets, and a newer
 * one closes the oldest (4429), since a client that vanished without closing
 * leaves its socket behind for a while.
 */
export const ALERTS_SOCKET_PATH = '/v1/alerts/ws';

export interface AlertsSocketOptions {
  checkIntervalMs: number;
  pingIntervalMs: number;
  authTimeoutMs: number;
  maxUnauthenticatedPerIp: number;
  maxPerSession: number;
}

type UpgradeServer = { on(event: 'upgrade', listener: (req: IncomingMessage, socket: Duplex, head: Buffer) => void): unknown };

export function attachAlertsSocket(server: UpgradeServer, deps: Deps, services: Services, overrides: Partial<AlertsSocketOptions> = {}) {
  const options: AlertsSocketOptions = {
    checkIntervalMs: 3_000,
    pingIntervalMs: 20_000,
    authTimeoutMs: 10_000,
    maxUnauthenticatedPerIp: 10,
    maxPerSession: 5,
    ...overrides,
  };
  const wss = new WebSocketServer({ noServer: true, maxPayload: 4 * 1024 });
  /** Signed-in sockets and their user. */
  const users = new Map<WebSocket, string>();
  /** Signed-in sockets by session token hash, oldest first. */
  const bySession = new Map<string, Set<WebSocket>>();
  /** Sockets not signed in yet, per client address. */
  const pendingByIp = new Map<string, number>();
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
    const origin = req.headers.origin;
    if (origin !== undefined && !isExtensionOrigin(origin, deps.config.extensionOrigins)) {
      return refuse(socket, 403, 'This origin may not open the alerts socket.');
    }
    const ip = clientIp(req.headers['x-forwarded-for'], req.socket.remoteAddress, deps.config.trustProxy) ?? 'unknown';
    if ((pendingByIp.get(ip) ?? 0) >= options.maxUnauthenticatedPerIp) {
      return refuse(socket, 429, 'Too many sockets from your address are waiting to sign in; try again shortly.', {
        'Retry-After': String(Math.ceil(options.authTimeoutMs / 1000)),
      });
    }
    // handleUpgrade calls back synchronously on success, so the count above cannot be overtaken.
    wss.handleUpgrade(req, socket, head, (ws) => onConnection(ws, ip));
  });

  function refuse(socket: Duplex, status: 403 | 429, message: string, headers: Record<string, string> = {}) {
    const head = { Connection: 'close', 'Content-Type': 'text/plain; charset=utf-8', 'Content-Length': String(Buffer.byteLength(message)), ...headers };
    socket.on('error', () => {});
    socket.once('finish', () => socket.destroy());
    socket.end(`HTTP/1.1 ${status} ${STATUS_CODES[status]}\r\n${Object.entries(head).map(([k, v]) => `${k}: ${v}`).join('\r\n')}\r\n\r\n${message}`);
  }

  function onConnection(ws: WebSocket, ip: string) {
    const authTimer = setTimeout(() => ws.close(4401, 'authenticate first'), options.authTimeoutMs);
    let pendingIp: string | null = ip;
    pendingByIp.set(ip, (pendingByIp.get(ip) ?? 0) + 1);
    const leavePending = () => {
      if (pendingIp === null) return;
      const left = (pendingByIp.get(pendingIp) ?? 1) - 1;
      if (left > 0) pendingByIp.set(pendingIp, left);
      else pendingByIp.delete(pendingIp);
      pendingIp = null;
    };
    let session: string | null = null;
    let authStarted = false;
    ws.on('error', () => {});
    ws.on('close', () => {
      clearTimeout(authTimer);
      leavePending();
      users.delete(ws);
      const peers = session === null ? undefined : bySession.get(session);
      peers?.delete(ws);
      if (peers?.size === 0) bySession.delete(session!);
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
      // One session check per socket: a socket cannot make the server look tokens up in a loop.
      if (authStarted) return send(ws, { type: 'error', code: 'BAD_MESSAGE', message: 'This socket has already sent its sign-in.' });
      authStarted = true;
      services.auth.resolveSession(message.token).then(
        (resolved) => {
          if (ws.readyState !== ws.OPEN) return;
          if (!resolved) {
            send(ws, { type: 'error', code: 'UNAUTHORIZED', message: 'Sign in first (your session is missing or has expired).' });
            ws.close(4401, 'unauthorized');
            return;
          }
          clearTimeout(authTimer);
          leavePending();
          users.set(ws, resolved.user.id);
          session = resolved.tokenHash;
          const peers = bySession.get(session) ?? new Set<WebSocket>();
          bySession.set(session, peers.add(ws));
          for (const oldest of peers) {
            if (peers.size <= options.maxPerSession) break;
            peers.delete(oldest);
            users.delete(oldest);
            oldest.close(4429, 'too many sockets for this session');
          }
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
