import { lookup } from 'node:dns/promises';
import { BlockList, isIP } from 'node:net';
import { badRequest } from '../errors';

/**
 * Where a webhook may point. `https://` only, except `http://` to loopback
 * when WEBHOOKS_ALLOW_HTTP_LOOPBACK is set; loopback, private, link-local and
 * other internal ranges are refused unless a setting allows them. The check
 * resolves the host itself and returns the addresses it approved: delivery
 * connects to one of those, never resolving again, so a DNS answer that
 * changes between the check and the request (rebinding) cannot slip past.
 */
export interface TargetPolicy {
  allowHttpLoopback: boolean;
  allowPrivate: boolean;
}

export interface TargetAddress {
  address: string;
  family: 4 | 6;
}

export interface CheckedTarget {
  url: URL;
  /** Every address the name resolved to, all approved, in the resolver's order. */
  addresses: TargetAddress[];
}

const loopback = new BlockList();
loopback.addSubnet('127.0.0.0', 8, 'ipv4');
loopback.addAddress('::1', 'ipv6');

/** Private, link-local, shared, and every range that is not a public unicast address. */
const internal = new BlockList();
for (const [net, bits] of [
  ['0.0.0.0', 8], ['10.0.0.0', 8], ['100.64.0.0', 10], ['169.254.0.0', 16], ['172.16.0.0', 12], ['192.0.0.0', 24],
  ['192.0.2.0', 24], ['192.168.0.0', 16], ['198.18.0.0', 15], ['198.51.100.0', 24], ['203.0.113.0', 24], ['224.0.0.0', 3],
] as const) internal.addSubnet(net, bits, 'ipv4');
// 64:ff9b:1::/48 is NAT64 for local use: where the IPv4 address sits depends on the operator's prefix length.
for (const [net, bits] of [['64:ff9b:1::', 48], ['100::', 64], ['2001:db8::', 32], ['fc00::', 7], ['fe80::', 10], ['ff00::', 8]] as const) {
  internal.addSubnet(net, bits, 'ipv6');
}

/**
 * IPv6 forms that reach an IPv4 address written inside them: the prefix, then the four bytes at `at`.
 * Such an address is judged by the IPv4 address it carries (`[::7f00:1]` is 127.0.0.1).
 */
const zeros = (n: number) => new Array<number>(n).fill(0);
const carriesIPv4: { form: string; prefix: number[]; at: number }[] = [
  { form: 'IPv4-compatible ::/96', prefix: zeros(12), at: 12 },
  { form: 'IPv4-mapped ::ffff:0:0/96', prefix: [...zeros(10), 0xff, 0xff], at: 12 },
  { form: 'SIIT ::ffff:0:0:0/96', prefix: [...zeros(8), 0xff, 0xff, 0, 0], at: 12 },
  { form: 'NAT64 64:ff9b::/96', prefix: [0, 0x64, 0xff, 0x9b, ...zeros(8)], at: 12 },
  { form: '6to4 2002::/16', prefix: [0x20, 0x02], at: 2 },
];

/** The 16 bytes of an IPv6 address that `isIP` accepts (a trailing dotted quad included, a zone dropped). */
function ipv6Bytes(address: string): number[] {
  let text = address.replace(/%.*$/, '');
  const quad = /(\d+)\.(\d+)\.(\d+)\.(\d+)$/.exec(text);
  if (quad) {
    const [a, b, c, d] = quad.slice(1).map(Number) as [number, number, number, number];
    text = `${text.slice(0, quad.index)}${((a << 8) | b).toString(16)}:${((c << 8) | d).toString(16)}`;
  }
  const groups = (part: string | undefined) => (part ? part.split(':').map((g) => parseInt(g, 16)) : []);
  const [head, tail] = text.split('::');
  const words = tail === undefined ? groups(head) : [...groups(head), ...zeros(8 - groups(head).length - groups(tail).length), ...groups(tail)];
  return words.flatMap((w) => [w >> 8, w & 0xff]);
}

function embeddedIPv4(address: string): string | null {
  const bytes = ipv6Bytes(address);
  const form = carriesIPv4.find((f) => f.prefix.every((byte, i) => bytes[i] === byte));
  return form ? bytes.slice(form.at, form.at + 4).join('.') : null;
}

/** `::ffff:10.0.0.1` is 10.0.0.1. */
function normalise(address: string): TargetAddress {
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
  if (mapped) return { address: mapped[1]!, family: 4 };
  return { address, family: isIP(address) === 6 ? 6 : 4 };
}

type Verdict = 'loopback' | 'internal' | 'public';
function classify(raw: string): Verdict {
  const { address, family } = normalise(raw);
  const type = family === 6 ? 'ipv6' : 'ipv4';
  if (loopback.check(address, type)) return 'loopback';
  const inner = family === 6 ? embeddedIPv4(address) : null;
  if (inner) return classify(inner);
  return internal.check(address, type) ? 'internal' : 'public';
}

/** Throws a readable BAD_REQUEST when the URL's form is not allowed (no DNS needed). */
export function parseTargetUrl(raw: string, policy: TargetPolicy): URL {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw badRequest('url: not a valid URL');
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') throw badRequest('url: must start with https://');
  if (url.username || url.password) throw badRequest('url: must not contain a user name or password');
  if (url.protocol === 'http:' && !policy.allowHttpLoopback) {
    throw badRequest('url: must start with https:// (http:// is allowed only to loopback, when WEBHOOKS_ALLOW_HTTP_LOOPBACK=true)');
  }
  return url;
}

const hostOf = (url: URL) => url.hostname.replace(/^\[(.*)\]$/, '$1');

function judge(url: URL, addresses: string[], policy: TargetPolicy): void {
  const host = hostOf(url);
  for (const address of addresses) {
    const verdict = classify(address);
    if (url.protocol === 'http:' && verdict !== 'loopback') {
      throw badRequest(`url: http:// is allowed only to a loopback address; ${host} is not one (use https://)`);
    }
    if (verdict === 'loopback' && !policy.allowHttpLoopback && !policy.allowPrivate) {
      throw badRequest(`url: ${host} is a loopback address; webhooks may not target this server's own machine`);
    }
    if (verdict === 'internal' && !policy.allowPrivate) {
      throw badRequest(`url: ${host} is in a private or link-local range (${address}); set WEBHOOKS_ALLOW_PRIVATE=true to allow it`);
    }
  }
}

/** The system resolver has no deadline of its own; a delivery attempt must not hang on it. */
const RESOLVE_TIMEOUT_MS = 5_000;

async function resolve(host: string): Promise<string[]> {
  if (isIP(host)) return [host];
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${host} did not resolve within ${RESOLVE_TIMEOUT_MS / 1000} s`)), RESOLVE_TIMEOUT_MS);
  });
  try {
    const answers = await Promise.race([lookup(host, { all: true, verbatim: true }), timeout]);
    return answers.map((a) => a.address);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * For create and update: the form, and the addresses the host resolves to now. A name that
 * does not resolve yet is accepted (it is checked again at every delivery).
 */
export async function checkTargetOnSave(raw: string, policy: TargetPolicy): Promise<string> {
  const url = parseTargetUrl(raw, policy);
  let addresses: string[] = [];
  try {
    addresses = await resolve(hostOf(url));
  } catch {
    if (url.protocol === 'http:') throw badRequest(`url: ${hostOf(url)} does not resolve; http:// is allowed only to a loopback address`);
  }
  judge(url, addresses, policy);
  return url.toString();
}

/** For each delivery: resolves once, approves every answer, and names the address to connect to. */
export async function checkTargetForDelivery(raw: string, policy: TargetPolicy): Promise<CheckedTarget> {
  const url = parseTargetUrl(raw, policy);
  const addresses = await resolve(hostOf(url));
  if (addresses.length === 0) throw badRequest(`url: ${hostOf(url)} does not resolve`);
  judge(url, addresses, policy);
  return { url, addresses: addresses.map(normalise) };
}
