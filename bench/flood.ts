import { execFile } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { generateKey } from '../shared/key-format';
import { ListKeysInput } from '../shared/schemas/key';
import type { Services } from '../server/services';

/**
 * Issue 23's flood: for FLOOD_SECONDS, FLOOD_RATE made-up well-formed keys a
 * second from FLOOD_ADDRESSES loopback addresses (127.0.0.2, .3, …: Linux
 * routes all of 127/8 to loopback), sent by a second process; meanwhile, and
 * before it as the quiet reference, the first verify of real keys (never
 * verified before, so never cached) and the dashboard's page 1 are timed.
 */
const FLOOD_SECONDS = Number(process.env.BENCH_FLOOD_SECONDS ?? 20);
const FLOOD_RATE = Number(process.env.BENCH_FLOOD_RATE ?? 1500);
const FLOOD_ADDRESSES = 10;
const SAMPLES = Number(process.env.BENCH_FLOOD_SAMPLES ?? 40);

const FLOOD_LOAD = `
import http from 'node:http';
import { readFileSync } from 'node:fs';
const [url, file, seconds, rate, addresses] = process.argv.slice(1);
const bodies = JSON.parse(readFileSync(file, 'utf8'));
const u = new URL(url);
const agents = Array.from({ length: Number(addresses) }, (_, i) => new http.Agent({ keepAlive: true, maxSockets: 16, localAddress: '127.0.0.' + (i + 2) }));
let sent = 0, answered = 0, refused = 0, carry = 0;
const end = Date.now() + Number(seconds) * 1000;
await new Promise((resolve) => {
  const timer = setInterval(() => {
    if (Date.now() >= end) { clearInterval(timer); resolve(); return; }
    for (carry += Number(rate) / 100; carry >= 1; carry--) {
      const req = http.request({ host: u.hostname, port: u.port, path: u.pathname, method: 'POST', agent: agents[sent % agents.length], headers: { 'content-type': 'application/json' } }, (res) => {
        if (res.statusCode === 429) refused++;
        res.resume();
        res.on('end', () => answered++);
      });
      req.on('error', () => {});
      req.end(bodies[sent++ % bodies.length]);
    }
  }, 10);
});
console.log(JSON.stringify({ sent, answered, rateLimited: refused }));
process.exit(0);
`;

const p99 = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(xs.length * 0.99))]!;
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const pause = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function sample(base: string, services: Services, teamId: string, keys: string[], spacingMs: number) {
  const verify: number[] = [];
  const page1: number[] = [];
  for (let i = 0; i < SAMPLES; i++) {
    let t = performance.now();
    const res = await fetch(`${base}/v1/keys/verify`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ key: keys.pop() }) });
    if (!((await res.json()) as { valid: boolean }).valid) throw new Error('flood bench: a real key did not verify');
    verify.push(performance.now() - t);
    t = performance.now();
    await services.keysAdmin.list(ListKeysInput.parse({ teamId, view: ['enabled', 'disabled', 'revoked'], limit: 50 }));
    page1.push(performance.now() - t);
    await pause(spacingMs);
  }
  return { verifyP99: p99(verify), page1: median(page1) };
}

/** `fresh`: real keys never verified yet (at least 2 × BENCH_FLOOD_SAMPLES); some are used up. */
export async function measureFlood(base: string, services: Services, teamId: string, fresh: string[], dir: string) {
  const file = join(dir, 'flood.json');
  writeFileSync(file, JSON.stringify(Array.from({ length: FLOOD_SECONDS * FLOOD_RATE }, () => JSON.stringify({ key: generateKey() }))));
  const quiet = await sample(base, services, teamId, fresh, 50);
  const flood = promisify(execFile)(process.execPath, ['--input-type=module', '-e', FLOOD_LOAD, `${base}/v1/keys/verify`, file, String(FLOOD_SECONDS), String(FLOOD_RATE), String(FLOOD_ADDRESSES)], { encoding: 'utf8' });
  await pause(2000);
  // Spread over the flood's middle.
  const during = await sample(base, services, teamId, fresh, Math.max(0, ((FLOOD_SECONDS - 4) * 1000) / SAMPLES - 50));
  const sent = JSON.parse((await flood).stdout.trim().split('\n').at(-1)!) as { sent: number; answered: number; rateLimited: number };
  return {
    about: `${FLOOD_RATE} made-up keys a second for ${FLOOD_SECONDS} s from ${FLOOD_ADDRESSES} loopback addresses; ${SAMPLES} real keys' first verify and page 1 before and during it`,
    flood: sent,
    realFirstVerifyP99Ms: +during.verifyP99.toFixed(1),
    quietFirstVerifyP99Ms: +quiet.verifyP99.toFixed(1),
    page1Ms: +during.page1.toFixed(1),
    quietPage1Ms: +quiet.page1.toFixed(1),
  };
}
