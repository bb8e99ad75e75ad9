import { createServer, type Server } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import type { PushServerMessage } from '../../shared/schemas/alerts';
import { ALERTS_SOCKET_PATH, attachAlertsSocket, type AlertsSocket } from '../../server/http/alerts.socket';
import { createTeam, startTestServer, type TestServer } from '../helpers/harness';
import { until } from '../helpers/notify';

/**
 * Who may open the alerts WebSocket: browsers only from the extension's origins
 * (the CORS rule), a bounded number of not-yet-signed-in sockets per address,
 * and a bounded number of signed-in sockets per session.
 */
const PINNED = 'chrome-extension://abcdefghijklmnopabcdefghijklmnop';
const OTHER_EXTENSION = 'chrome-extension://ponmlkjihgfedcbaponmlkjihgfedcba';

type Handshake = { status: number; retryAfter: string | null; body: string } | { socket: Client };

interface Client {
  ws: WebSocket;
  messages: PushServerMessage[];
  closeCode(): number | null;
  signIn(token: string): Promise<PushServerMessage>;
}

/** Opens a socket and reports either the refusal (status, Retry-After, body) or the open client. */
function connect(baseUrl: string, origin?: string): Promise<Handshake> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(`${baseUrl.replace(/^http/, 'ws')}${ALERTS_SOCKET_PATH}`, origin === undefined ? {} : { origin });
    ws.on('unexpected-response', (_req, res) => {
      let body = '';
      res.setEncoding('utf8').on('data', (chunk: string) => (body += chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, retryAfter: (res.headers['retry-after'] as string | undefined) ?? null, body }));
    });
    ws.once('error', reject);
    const messages: PushServerMessage[] = [];
    let closeCode: number | null = null;
    ws.on('message', (data) => messages.push(JSON.parse(data.toString())));
    ws.on('close', (code) => (closeCode = code));
    ws.once('open', () =>
      resolve({
        socket: {
          ws,
          messages,
          closeCode: () => closeCode,
          async signIn(token) {
            const before = messages.length;
            ws.send(JSON.stringify({ type: 'auth', token }));
            return until(() => messages[before], 30_000);
          },
        },
      }),
    );
  });
}

async function open(baseUrl: string, origin?: string): Promise<Client> {
  const result = await connect(baseUrl, origin);
  if (!('socket' in result)) throw new Error(`expected the socket to open, got HTTP ${result.status}`);
  return result.socket;
}

async function refusedWith(baseUrl: string, origin?: string): Promise<number> {
  const result = await connect(baseUrl, origin);
  if ('socket' in result) {
    result.socket.ws.terminate();
    return 101;
  }
  return result.status;
}

const corsAllows = async (baseUrl: string, origin: string) =>
  (await fetch(`${baseUrl}/trpc/auth.me`, { method: 'OPTIONS', headers: { origin, 'access-control-request-method': 'POST' } })).headers.get('access-control-allow-origin') === origin;

let server: TestServer;
let pinned: TestServer;
beforeAll(async () => {
  server = await startTestServer({ label: 'alerts-socket' });
  pinned = await startTestServer({ label: 'alerts-socket-pinned', env: { EXTENSION_ORIGINS: PINNED } });
});
afterAll(async () => {
  await server?.close();
  await pinned?.close();
});

describe('the alerts socket checks Origin by the CORS rule', () => {
  it('refuses a web page with 403 and admits the extension, which then signs in', async () => {
    for (const origin of ['https://evil.example', 'null', 'http://127.0.0.1:8787', 'chrome-extension:']) {
      expect(await refusedWith(server.url, origin), origin).toBe(403);
    }
    const team = await createTeam(server);
    const client = await open(server.url, OTHER_EXTENSION);
    expect(await client.signIn(team.admin.token)).toEqual({ type: 'ready' });
    client.ws.close();
  });

  it('admits a client that sends no Origin (not a browser), which still has to sign in', async () => {
    const client = await open(server.url);
    expect(await client.signIn('not-a-session')).toMatchObject({ type: 'error', code: 'UNAUTHORIZED' });
    await until(() => client.closeCode() === 4401, 30_000);
  });

  it('with EXTENSION_ORIGINS set, the socket and CORS admit exactly the same origins', async () => {
    const cases = [
      { origin: PINNED, admitted: true },
      { origin: OTHER_EXTENSION, admitted: false },
      { origin: 'https://evil.example', admitted: false },
    ];
    for (const { origin, admitted } of cases) {
      expect(await corsAllows(pinned.url, origin), `CORS ${origin}`).toBe(admitted);
      expect(await refusedWith(pinned.url, origin), `socket ${origin}`).toBe(admitted ? 101 : 403);
    }
  });
});

describe('socket caps', () => {
  let http: Server;
  let socket: AlertsSocket;
  let url: string;
  beforeAll(async () => {
    // The real socket over the real services, on a port of its own: small caps, and an auth timeout
    // far beyond the test, so no slot frees itself while the test counts.
    http = createServer((_req, res) => res.writeHead(404).end());
    await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
    socket = attachAlertsSocket(http, server.deps, server.services, { authTimeoutMs: 600_000, maxUnauthenticatedPerIp: 3, maxPerSession: 2 });
    const address = http.address();
    url = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
  });
  afterAll(async () => {
    socket?.close();
    await new Promise<void>((resolve) => http?.close(() => resolve()));
  });

  it('refuses more than the cap of sockets that have not signed in from one address with 429, and frees a slot on sign-in or close', async () => {
    const team = await createTeam(server);
    const waiting = [await open(url), await open(url), await open(url)];
    const refused = await connect(url);
    expect(refused).toMatchObject({ status: 429, retryAfter: '600' });
    expect((refused as { body: string }).body).toMatch(/waiting to sign in/);
    // A refused origin is refused before it could take a slot.
    expect(await refusedWith(url, 'https://evil.example')).toBe(403);

    // Signing in frees the slot at once.
    expect(await waiting[0]!.signIn(team.admin.token)).toEqual({ type: 'ready' });
    const fourth = await open(url);
    expect(await refusedWith(url)).toBe(429);

    // Closing frees it once the server has seen the close.
    waiting[1]!.ws.close();
    const fifth = await until(async () => {
      const result = await connect(url);
      return 'socket' in result ? result.socket : null;
    }, 30_000);

    // A failed sign-in closes the socket, and that frees its slot too.
    expect(await fourth.signIn('not-a-session')).toMatchObject({ type: 'error', code: 'UNAUTHORIZED' });
    const sixth = await until(async () => {
      const result = await connect(url);
      return 'socket' in result ? result.socket : null;
    }, 30_000);

    // One sign-in per socket: a second one is refused without another session look-up.
    expect(await waiting[0]!.signIn(team.admin.token)).toMatchObject({ type: 'error', code: 'BAD_MESSAGE' });
    for (const c of [waiting[0]!, waiting[2]!, fifth, sixth]) c.ws.close();
  });

  it('keeps at most the cap of signed-in sockets per session, closing the oldest', async () => {
    const team = await createTeam(server);
    const member = await team.addUser('member');
    const connected = socket.connections();
    const mine: Client[] = [];
    for (let i = 0; i < 3; i++) {
      const client = await open(url);
      expect(await client.signIn(member.token)).toEqual({ type: 'ready' });
      mine.push(client);
    }
    const other = await open(url);
    expect(await other.signIn(team.admin.token)).toEqual({ type: 'ready' });

    await until(() => mine[0]!.closeCode() === 4429, 30_000);
    expect(mine.slice(1).map((c) => c.closeCode())).toEqual([null, null]);
    expect(other.closeCode()).toBeNull();
    expect(socket.connections()).toBe(connected + 3);
    for (const c of [...mine, other]) c.ws.close();
    await until(() => socket.connections() === connected, 30_000);
  });
});
