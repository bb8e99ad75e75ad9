import type { PushClientMessage, PushServerMessage } from '../../shared/schemas/alerts';
import { normalizeServerUrl } from './api';
import { sessionItem, type Session } from './storage';

/**
 * The push channel (WebSocket `/v1/alerts/ws`): the server only says "your
 * summary changed" and we re-poll, so a lost socket costs nothing but latency
 * — the alarm poll stays the fallback. Pings every 25 s keep the socket (and,
 * since Chrome 116, the service worker) alive while signed in.
 */

type SocketLike = Pick<WebSocket, 'send' | 'close' | 'readyState'> & {
  onopen: ((ev: Event) => unknown) | null;
  onmessage: ((ev: MessageEvent) => unknown) | null;
  onclose: ((ev: CloseEvent) => unknown) | null;
  onerror: ((ev: Event) => unknown) | null;
};
export type SocketFactory = (url: string) => SocketLike;

const PING_MS = 25_000;
const OPEN = 1;

let current: { token: string; socket: SocketLike; timer: ReturnType<typeof setInterval> | undefined } | null = null;

export function pushUrl(serverUrl: string): string {
  return `${normalizeServerUrl(serverUrl).replace(/^http/, 'ws')}/v1/alerts/ws`;
}

/** Opens (or keeps) the socket for the current session; closes it when signed out. */
export async function ensurePush(onChange: () => unknown, factory: SocketFactory = (url) => new WebSocket(url)): Promise<void> {
  const session = await sessionItem.getValue();
  if (current && (!session || current.token !== session.token || current.socket.readyState > OPEN)) stopPush();
  if (!session || current) return;
  try {
    connect(session, onChange, factory);
  } catch {
    // A server without push (or a bad URL) leaves us on polling alone.
  }
}

export function stopPush(): void {
  if (!current) return;
  clearInterval(current.timer);
  current.socket.onclose = null;
  current.socket.close();
  current = null;
}

function connect(session: Session, onChange: () => unknown, factory: SocketFactory) {
  const socket = factory(pushUrl(session.serverUrl));
  const entry: NonNullable<typeof current> = { token: session.token, socket, timer: undefined };
  current = entry;
  const send = (message: PushClientMessage) => socket.readyState === OPEN && socket.send(JSON.stringify(message));
  socket.onopen = () => {
    send({ type: 'auth', token: session.token });
    entry.timer = setInterval(() => send({ type: 'ping' }), PING_MS);
  };
  socket.onmessage = (event) => {
    let message: PushServerMessage;
    try {
      message = JSON.parse(String(event.data)) as PushServerMessage;
    } catch {
      return;
    }
    if (message.type === 'changed') void onChange();
    else if (message.type === 'ping') send({ type: 'ping' });
    else if (message.type === 'error') stopPush();
  };
  socket.onerror = () => undefined;
  socket.onclose = () => {
    if (current === entry) {
      clearInterval(entry.timer);
      current = null;
    }
  };
}
