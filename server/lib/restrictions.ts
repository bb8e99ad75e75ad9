import { parseIp, parseIpRange, rangeContains, type IpRange } from '../../shared/ip-address';
import { originMatches, parseOrigin, type ParsedOrigin } from '../../shared/origin';

/**
 * A key's client restrictions as verify and the preview apply them. The parsing rules live in
 * shared/ (ip-address.ts, origin.ts) so the schema that accepts a restriction and the check that
 * enforces it read it the same way. Lists are compiled once per array (WeakMap): verify passes the
 * same cached array on every request, so a request costs a parse of the caller's address or origin
 * and a scan of the compiled list. A restriction that does not parse (only possible in data written
 * before the schema) is skipped; invalid input from the caller is never allowed.
 */

const compiledRanges = new WeakMap<readonly string[], IpRange[]>();
const compiledOrigins = new WeakMap<readonly string[], ParsedOrigin[]>();

function rangesOf(ranges: readonly string[]): IpRange[] {
  let compiled = compiledRanges.get(ranges);
  if (!compiled) {
    compiled = ranges.map((r) => parseIpRange(r.trim())).filter((r): r is IpRange => r !== null);
    compiledRanges.set(ranges, compiled);
  }
  return compiled;
}

function originsOf(patterns: readonly string[]): ParsedOrigin[] {
  let compiled = compiledOrigins.get(patterns);
  if (!compiled) {
    compiled = patterns.map((p) => parseOrigin(p.trim(), true)).filter((p): p is ParsedOrigin => p !== null);
    compiledOrigins.set(patterns, compiled);
  }
  return compiled;
}

/**
 * Whether `ip` lies in one of `ranges` (addresses or CIDR ranges, v4 or v6; an IPv4-mapped IPv6
 * address and its IPv4 address are one address). An address that does not parse is never allowed.
 * Callers decide what an empty list means (no restriction); here it allows nothing.
 */
export function ipAllowed(ip: string, ranges: readonly string[]): boolean {
  const address = parseIp(ip.trim());
  if (!address) return false;
  for (const range of rangesOf(ranges)) if (rangeContains(range, address)) return true;
  return false;
}

/**
 * Whether `origin` matches one of `patterns`: exact origins, or `https://*.example.com`, which
 * matches any subdomain at any depth but never `https://example.com` itself (see shared/origin.ts).
 * Scheme and port must match. An origin that does not parse (`null`, a path) is never allowed.
 */
export function originAllowed(origin: string, patterns: readonly string[]): boolean {
  const parsed = parseOrigin(origin.trim(), false);
  if (!parsed) return false;
  for (const pattern of originsOf(patterns)) if (originMatches(pattern, parsed)) return true;
  return false;
}
