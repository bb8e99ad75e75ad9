import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseEnv } from '../../server/env';
import { INDEXES } from '../../server/db/indexes';
import { startTestServer, type TestServer } from '../helpers/harness';

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer({ label: 'platform' });
});
afterAll(() => server.close());

describe('platform', () => {
  it('answers /health with a real database ping', async () => {
    const res = await fetch(`${server.url}/health`);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ ok: true, db: 'ok' });
  });

  it('admits the extension origin through CORS and no other', async () => {
    const ext = await fetch(`${server.url}/trpc/auth.me`, { method: 'OPTIONS', headers: { origin: 'chrome-extension://abcdefghijklmnop', 'access-control-request-method': 'GET' } });
    expect(ext.headers.get('access-control-allow-origin')).toBe('chrome-extension://abcdefghijklmnop');
    const firefox = 'moz-extension://0f6a1c2e-3b4d-4e5f-8a9b-0c1d2e3f4a5b';
    const ff = await fetch(`${server.url}/trpc/auth.me`, { method: 'OPTIONS', headers: { origin: firefox, 'access-control-request-method': 'POST' } });
    expect(ff.headers.get('access-control-allow-origin')).toBe(firefox);
    const web = await fetch(`${server.url}/trpc/auth.me`, { method: 'OPTIONS', headers: { origin: 'https://evil.example', 'access-control-request-method': 'GET' } });
    expect(web.headers.get('access-control-allow-origin')).toBeNull();
  });

  it('admits only the configured extension ids when EXTENSION_ORIGINS is set', async () => {
    const pinned = await startTestServer({ label: 'cors', env: { EXTENSION_ORIGINS: `chrome-extension://${'a'.repeat(32)}` } });
    try {
      const preflight = (origin: string) =>
        fetch(`${pinned.url}/trpc/auth.me`, { method: 'OPTIONS', headers: { origin, 'access-control-request-method': 'POST' } }).then((r) => r.headers.get('access-control-allow-origin'));
      expect(await preflight(`chrome-extension://${'a'.repeat(32)}`)).toBe(`chrome-extension://${'a'.repeat(32)}`);
      expect(await preflight(`chrome-extension://${'b'.repeat(32)}`)).toBeNull();
    } finally {
      await pinned.close();
    }
  });

  it('creates every declared index on the real database', async () => {
    // About storage: the indexes as the database reports them.
    const names = await server.storage.cols.keys.listIndexes().toArray();
    const declared = INDEXES.keys.map((i) => i.name);
    expect(names.map((i) => i.name)).toEqual(expect.arrayContaining(declared));
  });

  it('answers tRPC calls with the superjson transformer', async () => {
    const res = await fetch(`${server.url}/trpc/auth.me`);
    expect(res.status).toBe(401);
    const body = await res.json();
    expect(body.error.json.message).toMatch(/Sign in/);
  });
});

describe('configuration', () => {
  it('names the variable that is wrong', () => {
    expect(() => parseEnv({ PORT: 'eighty' })).toThrow(/PORT/);
    expect(() => parseEnv({ MONGODB_URI: 'postgres://x' })).toThrow(/MONGODB_URI: must start with mongodb/);
    expect(() => parseEnv({ KEYWARDEN_PEPPER: 'short' })).toThrow(/KEYWARDEN_PEPPER/);
    expect(() => parseEnv({ EXTENSION_ORIGINS: 'https://example.com' })).toThrow(/EXTENSION_ORIGINS/);
  });

  it('has working defaults', () => {
    const env = parseEnv({});
    expect(env).toMatchObject({ MONGODB_DB: 'keywarden', HOST: '127.0.0.1', PORT: 8787, DATA_DIR: './data' });
  });
});
