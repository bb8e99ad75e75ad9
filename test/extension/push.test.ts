import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { fakeBrowser } from 'wxt/testing/fake-browser';
import { ensurePush, pushUrl, stopPush, type SocketFactory } from '../../extension/lib/push';
import { sessionItem, type Session } from '../../extension/lib/storage';

const session: Session = { token: 'tok-1', serverUrl: 'https://kw.example.com/', user: { id: 'usr_1', email: 'a@example.test', name: 'A' }, teams: [] };

function fakeSockets() {
  const sockets: { url: string; sent: unknown[]; socket: ReturnType<SocketFactory> }[] = [];
  const factory: SocketFactory = (url) => {
    const entry = { url, sent: [] as unknown[], socket: null as unknown as ReturnType<SocketFactory> };
    entry.socket = { readyState: 1, send: (d: string) => entry.sent.push(JSON.parse(d)), close: vi.fn(), onopen: null, onmessage: null, onclose: null, onerror: null } as unknown as ReturnType<SocketFactory>;
    sockets.push(entry);
    return entry.socket;
  };
  return { sockets, factory };
}
const message = (data: unknown) => ({ data: JSON.stringify(data) }) as MessageEvent;

beforeEach(() => fakeBrowser.reset());
afterEach(() => stopPush());

describe('the push channel', () => {
  it('derives the WebSocket URL from the server URL', () => {
    expect(pushUrl('https://kw.example.com/')).toBe('wss://kw.example.com/v1/alerts/ws');
    expect(pushUrl('http://127.0.0.1:8787')).toBe('ws://127.0.0.1:8787/v1/alerts/ws');
  });

  it('opens nothing while signed out', async () => {
    const { sockets, factory } = fakeSockets();
    await ensurePush(() => {}, factory);
    expect(sockets).toHaveLength(0);
  });

  it('authenticates with the session token first, then re-polls on every "changed"', async () => {
    await sessionItem.setValue(session);
    const { sockets, factory } = fakeSockets();
    const onChange = vi.fn();
    await ensurePush(onChange, factory);
    await ensurePush(onChange, factory); // idempotent: still one socket
    expect(sockets).toHaveLength(1);
    const [s] = sockets;
    s!.socket.onopen!(new Event('open'));
    expect(s!.sent).toEqual([{ type: 'auth', token: 'tok-1' }]);
    s!.socket.onmessage!(message({ type: 'ready' }));
    s!.socket.onmessage!(message({ type: 'changed', at: new Date().toISOString() }));
    expect(onChange).toHaveBeenCalledTimes(1);
  });

  it('drops the socket when the session ends or changes', async () => {
    await sessionItem.setValue(session);
    const { sockets, factory } = fakeSockets();
    await ensurePush(() => {}, factory);
    await sessionItem.setValue({ ...session, token: 'tok-2' });
    await ensurePush(() => {}, factory);
    expect(sockets[0]!.socket.close).toHaveBeenCalled();
    expect(sockets).toHaveLength(2);
    await sessionItem.setValue(null);
    await ensurePush(() => {}, factory);
    expect(sockets[1]!.socket.close).toHaveBeenCalled();
  });
});
