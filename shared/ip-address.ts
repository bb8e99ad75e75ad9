/**
 * IP addresses and CIDR ranges, parsed into one form: 16 bytes, with an IPv4 address stored as its
 * IPv4-mapped IPv6 address (`1.2.3.4` is `::ffff:1.2.3.4`) and an IPv4 prefix length moved up by 96.
 * That single form is why `::ffff:1.2.3.4` matches `1.2.3.0/24` and `1.2.3.4` matches
 * `::ffff:1.2.3.0/120`: both sides are the same bytes. Pure, so the key-policy schema (shared) and
 * the verify path (server/lib/restrictions.ts) read addresses the same way.
 *
 * Strict on purpose: no zone ids (`fe80::1%eth0`), no leading zeros in IPv4 octets (`010.0.0.1`
 * would mean 8.0.0.1 to some parsers and 10.0.0.1 to others), no shortened IPv4 (`10.1`).
 */

/** An address or range in the one 16-byte form; `prefix` is 0–128 (an address is a /128). */
export interface IpRange {
  bytes: Uint8Array;
  prefix: number;
}

const IPV4_OCTET = /^(?:0|[1-9][0-9]{0,2})$/;
const IPV6_GROUP = /^[0-9a-fA-F]{1,4}$/;

function parseIpv4Into(text: string, out: Uint8Array, at: number): boolean {
  const parts = text.split('.');
  if (parts.length !== 4) return false;
  for (let i = 0; i < 4; i++) {
    const part = parts[i]!;
    if (!IPV4_OCTET.test(part)) return false;
    const n = Number(part);
    if (n > 255) return false;
    out[at + i] = n;
  }
  return true;
}

/** The groups of one side of `::` (or of a whole address) into `out`; false when malformed. */
function parseIpv6Groups(text: string, out: number[], allowIpv4Tail: boolean): boolean {
  if (text === '') return true;
  const groups = text.split(':');
  for (let i = 0; i < groups.length; i++) {
    const group = groups[i]!;
    if (allowIpv4Tail && i === groups.length - 1 && group.includes('.')) {
      const v4 = new Uint8Array(4);
      if (!parseIpv4Into(group, v4, 0)) return false;
      out.push((v4[0]! << 8) | v4[1]!, (v4[2]! << 8) | v4[3]!);
      continue;
    }
    if (!IPV6_GROUP.test(group)) return false;
    out.push(parseInt(group, 16));
  }
  return true;
}

function parseIpv6(text: string): Uint8Array | null {
  const doubleColon = text.indexOf('::');
  if (doubleColon !== text.lastIndexOf('::')) return null;
  const head: number[] = [];
  const tail: number[] = [];
  if (doubleColon === -1) {
    if (!parseIpv6Groups(text, head, true) || head.length !== 8) return null;
  } else {
    const before = text.slice(0, doubleColon);
    const after = text.slice(doubleColon + 2);
    if (!parseIpv6Groups(before, head, false) || !parseIpv6Groups(after, tail, true)) return null;
    // `::` stands for at least one group of zeros.
    if (head.length + tail.length > 7) return null;
  }
  const groups = [...head, ...new Array<number>(8 - head.length - tail.length).fill(0), ...tail];
  const bytes = new Uint8Array(16);
  for (let i = 0; i < 8; i++) {
    const group = groups[i]!;
    bytes[i * 2] = group >> 8;
    bytes[i * 2 + 1] = group & 0xff;
  }
  return bytes;
}

/** An IPv4 or IPv6 address in the 16-byte form, or null when `text` is not one. */
export function parseIp(text: string): Uint8Array | null {
  if (text.length === 0 || text.length > 45) return null;
  if (text.includes(':')) return parseIpv6(text);
  const bytes = new Uint8Array(16);
  bytes[10] = 0xff;
  bytes[11] = 0xff;
  return parseIpv4Into(text, bytes, 12) ? bytes : null;
}

/**
 * An address (`203.0.113.7`, `2001:db8::1`) or CIDR range (`10.0.0.0/8`, `2001:db8::/32`) in the
 * 16-byte form, or null. Host bits below the prefix are cleared (`10.1.2.3/8` is `10.0.0.0/8`),
 * as most firewalls read it.
 */
export function parseIpRange(text: string): IpRange | null {
  const slash = text.indexOf('/');
  const address = slash === -1 ? text : text.slice(0, slash);
  const bytes = parseIp(address);
  if (!bytes) return null;
  if (slash === -1) return { bytes, prefix: 128 };
  const length = text.slice(slash + 1);
  if (!/^(?:0|[1-9][0-9]{0,2})$/.test(length)) return null;
  const isV4 = !address.includes(':');
  const prefix = Number(length) + (isV4 ? 96 : 0);
  if (prefix > 128 || (isV4 && Number(length) > 32)) return null;
  for (let bit = prefix; bit < 128; bit++) bytes[bit >> 3]! &= ~(0x80 >> (bit & 7));
  return { bytes, prefix };
}

/** Whether `address` (16-byte form) lies in `range`. */
export function rangeContains(range: IpRange, address: Uint8Array): boolean {
  const full = range.prefix >> 3;
  for (let i = 0; i < full; i++) if (range.bytes[i] !== address[i]) return false;
  const rest = range.prefix & 7;
  if (rest === 0) return true;
  const mask = (0xff << (8 - rest)) & 0xff;
  return (address[full]! & mask) === range.bytes[full];
}
