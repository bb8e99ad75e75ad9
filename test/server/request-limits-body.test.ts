import { request as httpRequest } from 'node:http';
import { connect } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newId } from '../../server/lib/ids';
import { ConcurrencyGates, TokenBuckets } from '../../server/lib/rate-limit';
import { createTeam, errorCode, startTestServer, type TestServer } from '../helpers/harness';
import { seedKey } from '../helpers/keys';
import { ALL_VIEWS as ALL, verifyRaw } from '../helpers/raw-http';

/**
 * Request limits (server/http/limits.ts) over real HTTP: body sizes, no tRPC
 * batching, and the limiter's own buckets and gates. Rates and caps per caller
 * are in request-limits-rates.test.ts, a full connection pool in
 * request-limits-pool.test.ts. Timings are only ever generous upper bounds.
 */
let server: TestServer;
beforeAll(async () => {
  server = await startTestServer({ label: 'reqlimits' });
});
afterAll(() => server.close());

interface RawAnswer {
  status: number | undefined;
  headers: Record<string, string | string[] | undefined>;
  body: string;
  /** Body bytes the client had handed to its socket when the answer came. */
  written: number;
  ms: number;
}

/**
 * Sends a body of up to `total` bytes to `path`, with `Content-Length: declared`
 * (only a few bytes actually follow) or chunked, and stops writing as soon as an
 * answer arrives.
 */
function sendLarge(base: string, path: string, options: { declared?: number; total: number }): Promise<RawAnswer> {
  const url = new URL(base);
  const started = Date.now();
  return new Promise((resolve, reject) => {
    let written = 0;
    let answered = false;
    const headers: Record<string, string> = { 'content-type': 'application/json' };
    if (options.declared !== undefined) headers['content-length'] = String(options.declared);
    const req = httpRequest({ host: url.hostname, port: url.port, path, method: 'POST', headers });
    req.on('response', (res) => {
      answered = true;
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (d: string) => (body += d));
      res.on('end', () => resolve({ status: res.statusCode, headers: res.headers, body, written, ms: Date.now() - started }));
      res.on('error', reject);
    });
    req.on('error', (err) => {
      if (!answered) reject(err);
    });
    const chunk = Buffer.alloc(16 * 1024, 'a');
    if (options.declared !== undefined) {
      // A client that announces a huge body and sends its first bytes.
      written = 1024;
      req.write(chunk.subarray(0, 1024));
      return;
    }
    const pump = () => {
      while (!answered && written < options.total) {
        written += chunk.length;
        if (!req.write(chunk)) return void req.once('drain', pump);
      }
      if (!answered) req.end();
    };
    pump();
  });
}

interface WholeBodyAnswer {
  status?: number;
  body: string;
  /** The error writing the body, if any: EPIPE or ECONNRESET when the server hung up on it. */
  writeError?: string;
}

/** Node's http client writing a whole body of `total` bytes and reading the answer whenever it comes. */
function sendWhole(base: string, path: string, total: number, framing: 'length' | 'chunked'): Promise<WholeBodyAnswer> {
  const url = new URL(base);
  return new Promise((resolve) => {
    const headers: Record<string, string> = { 'content-type': 'application/json' };
    if (framing === 'length') headers['content-length'] = String(total);
    const req = httpRequest({ host: url.hostname, port: url.port, path, method: 'POST', headers });
    const answer: WholeBodyAnswer = { body: '' };
    req.on('response', (res) => {
      answer.status = res.statusCode;
      res.setEncoding('utf8');
      res.on('data', (d: string) => (answer.body += d));
    });
    req.on('error', (err: NodeJS.ErrnoException) => (answer.writeError = err.code ?? err.message));
    req.on('close', () => resolve(answer));
    const chunk = Buffer.alloc(64 * 1024, 'a');
    let sent = 0;
    const pump = () => {
      while (sent < total) {
        sent += chunk.length;
        if (!req.write(chunk)) return void req.once('drain', pump);
      }
      req.end();
    };
    pump();
  });
}

/** A client that writes its whole request (headers and `total` bytes) before it looks at the answer. */
function writeAllThenRead(base: string, path: string, total: number): Promise<WholeBodyAnswer & { written: boolean }> {
  const url = new URL(base);
  return new Promise((resolve) => {
    const socket = connect(Number(url.port), url.hostname);
    const answer = { body: '', written: false } as WholeBodyAnswer & { written: boolean };
    socket.on('error', (err: NodeJS.ErrnoException) => (answer.writeError = err.code ?? err.message));
    socket.on('close', () => {
      answer.status = Number(/^HTTP\/1\.1 (\d+)/.exec(answer.body)?.[1]) || undefined;
      resolve(answer);
    });
    socket.write(`POST ${path} HTTP/1.1\r\nHost: ${url.host}\r\nContent-Type: application/json\r\nContent-Length: ${total}\r\n\r\n`);
    socket.write(Buffer.alloc(total, 'a'), (err) => {
      if (err) return;
      answer.written = true;
      socket.on('data', (d: Buffer) => (answer.body += d.toString()));
      socket.end();
    });
  });
}

describe('body limits', () => {
  it.each(['length', 'chunked'] as const)('lets a client that writes a whole 5 MiB body (%s) read the 413, without a write error', async (framing) => {
    for (const path of ['/v1/keys/verify', '/trpc/auth.requestCode']) {
      const res = await sendWhole(server.url, path, 5 * 1024 * 1024, framing);
      expect({ status: res.status, writeError: res.writeError ?? null }, `${path} ${framing}`).toEqual({ status: 413, writeError: null });
      expect(res.body).toMatch(/PAYLOAD_TOO_LARGE/);
    }
  });

  it('serves a chunked body within the limit', async () => {
    const url = new URL(server.url);
    const answer = await new Promise<{ status?: number; body: string }>((resolve, reject) => {
      const req = httpRequest({ host: url.hostname, port: url.port, path: '/v1/keys/verify', method: 'POST', headers: { 'content-type': 'application/json' } });
      req.on('response', (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (d: string) => (body += d));
        res.on('end', () => resolve({ status: res.statusCode, body }));
      });
      req.on('error', reject);
      // No Content-Length: Node sends the body chunked, in two chunks here.
      req.write('{"key":');
      req.end('"kw_short"}');
    });
    expect(answer.status).toBe(200);
    expect(JSON.parse(answer.body)).toEqual({ valid: false, code: 'MALFORMED' });
  });

  it('reads and drops the rest of a refused 5 MiB body, so a client that writes it all first gets the 413', async () => {
    const res = await writeAllThenRead(server.url, '/v1/keys/verify', 5 * 1024 * 1024);
    expect({ written: res.written, status: res.status, writeError: res.writeError ?? null }).toEqual({ written: true, status: 413, writeError: null });
    expect(res.body).toMatch(/PAYLOAD_TOO_LARGE/);
  });

  it('refuses a verify body announced over 4 KiB with a JSON 413, without waiting for it', async () => {
    const res = await sendLarge(server.url, '/v1/keys/verify', { declared: 150 * 1024 * 1024, total: 0 });
    expect(res.status).toBe(413);
    expect(JSON.parse(res.body)).toEqual({ error: 'PAYLOAD_TOO_LARGE', message: expect.stringMatching(/larger than the 4 KiB/) });
    // Only 1 KiB of the 150 MB was sent: the answer could not have waited for the body.
    expect(res.ms).toBeLessThan(10_000);
  });

  it('refuses a 5 KiB verify body and still answers a normal one', async () => {
    const big = await fetch(`${server.url}/v1/keys/verify`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ key: 'x'.repeat(5 * 1024) }) });
    expect(big.status).toBe(413);
    expect((await big.json()).error).toBe('PAYLOAD_TOO_LARGE');
    const normal = await verifyRaw(server.url, 'kw_short');
    expect(normal.status).toBe(200);
    expect(await normal.json()).toEqual({ valid: false, code: 'MALFORMED' });
  });

  it('cuts off a chunked verify body as it passes the limit', async () => {
    const res = await sendLarge(server.url, '/v1/keys/verify', { total: 64 * 1024 * 1024 });
    expect(res.status).toBe(413);
    expect(JSON.parse(res.body).error).toBe('PAYLOAD_TOO_LARGE');
    // Had the server read on, the client would have written all 64 MiB before any answer.
    expect(res.written).toBeLessThan(16 * 1024 * 1024);
  });

  it('refuses a tRPC body over 64 KiB with a tRPC 413, announced or chunked', async () => {
    const team = await createTeam(server);
    const tooMany = Array.from({ length: 3000 }, () => newId('key'));
    expect(await errorCode(team.admin.api.keys.disable.mutate({ teamId: team.teamId, keyIds: tooMany }))).toBe('PAYLOAD_TOO_LARGE');

    const announced = await sendLarge(server.url, '/trpc/auth.requestCode', { declared: 30 * 1024 * 1024, total: 0 });
    expect(announced.status).toBe(413);
    expect(JSON.parse(announced.body).error.json).toMatchObject({ message: expect.stringMatching(/larger than the 64 KiB/), data: { code: 'PAYLOAD_TOO_LARGE', httpStatus: 413 } });

    const chunked = await sendLarge(server.url, '/trpc/auth.requestCode', { total: 64 * 1024 * 1024 });
    expect(chunked.status).toBe(413);
    expect(JSON.parse(chunked.body).error.json.data.code).toBe('PAYLOAD_TOO_LARGE');
    expect(chunked.written).toBeLessThan(16 * 1024 * 1024);
  });

  it('takes a bulk call of 1,000 keys', async () => {
    const team = await createTeam(server);
    const keys = await Promise.all(Array.from({ length: 5 }, () => seedKey(server, { teamId: team.teamId, ownerId: team.admin.userId })));
    const keyIds = [...keys.map((k) => k.id), ...Array.from({ length: 995 }, () => newId('key'))];
    const result = await team.admin.api.keys.disable.mutate({ teamId: team.teamId, keyIds });
    expect(JSON.stringify(result)).toContain(keys[0]!.id);
    const list = await team.admin.api.keys.list.query({ teamId: team.teamId, view: [...ALL] });
    expect(list.items.map((k) => k.status)).toEqual(['disabled', 'disabled', 'disabled', 'disabled', 'disabled']);
  });
});

describe('tRPC batching', () => {
  it('turns a batch away with a clear 400, quickly, and serves single calls', async () => {
    const team = await createTeam(server);
    const paths = Array.from({ length: 300 }, () => 'alerts.summary').join(',');
    const body = JSON.stringify(Object.fromEntries(Array.from({ length: 300 }, (_, i) => [i, { json: {} }])));
    const started = Date.now();
    const res = await fetch(`${server.url}/trpc/${paths}?batch=1`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${team.admin.token}` },
      body,
    });
    expect(res.status).toBe(400);
    expect(JSON.stringify(await res.json())).toMatch(/Batching is not enabled/);
    expect(Date.now() - started).toBeLessThan(10_000);
    const summary = await team.admin.api.alerts.summary.query();
    expect(summary).toBeTruthy();
  });
});

describe('the limiter itself', () => {
  it('forgets buckets once they have refilled, and never holds more than maxKeys', () => {
    let now = 0;
    const buckets = new TokenBuckets({ ratePerSecond: 10, burst: 2, maxKeys: 100, now: () => now });
    expect(buckets.take('a')).toEqual({ ok: true });
    expect(buckets.take('a')).toEqual({ ok: true });
    expect(buckets.take('a')).toEqual({ ok: false, retryAfterMs: 100 });
    for (let i = 0; i < 1000; i++) buckets.take(`k${i}`);
    expect(buckets.size).toBeLessThanOrEqual(100);
    now += 1000;
    buckets.sweep();
    expect(buckets.size).toBe(0);
  });

  it('lets the next requests wait for a slot, refuses past the queue, and forgets idle gates', async () => {
    const gates = new ConcurrencyGates({ limit: 1, queue: 1, maxWaitMs: 30_000 });
    const first = gates.enter('s') as () => void;
    expect(typeof first).toBe('function');
    const second = gates.enter('s');
    expect(second).toBeInstanceOf(Promise);
    expect(gates.enter('s')).toBeNull();
    first();
    const release = await second;
    expect(release).toBeTypeOf('function');
    release!();
    expect(gates.size).toBe(0);
  });
});
