/**
 * Web origins (`scheme://host[:port]`) and origin patterns, parsed into one comparable form. Pure,
 * so the key-policy schema (shared) and the verify path (server/lib/restrictions.ts) agree on what
 * an origin is.
 *
 * - Scheme and host are case-insensitive (lower-cased here); a default port (80 for http, 443 for
 *   https) is the same as no port, any other port must match exactly.
 * - A pattern is an exact origin, or an origin whose host starts with one wildcard label:
 *   `https://*.example.com`. The wildcard stands for one or more labels, so it matches
 *   `https://a.example.com` and `https://a.b.example.com` (as browsers' `*.` host patterns do),
 *   never the bare `https://example.com` and never `https://example.com.evil.test`.
 * - No path, query, fragment or credentials: an origin has none, and allowing them would make a
 *   pattern look stricter than it is.
 */

/** The comparable parts of an origin or pattern. `host` has no wildcard; `wildcard` says whether one led it. */
export interface ParsedOrigin {
  scheme: string;
  host: string;
  /** Explicit non-default port, or '' */
  port: string;
  wildcard: boolean;
}

const DEFAULT_PORTS: Readonly<Record<string, string>> = { http: '80', https: '443', ws: '80', wss: '443' };
const ORIGIN = /^([a-z][a-z0-9+.-]*):\/\/(\*\.)?([^/:?#@[\]\s]+|\[[0-9a-f:.]+\])(?::([0-9]{1,5}))?$/;
const LABEL = /^[a-z0-9_-]{1,63}$/;

function hostIsValid(host: string, wildcard: boolean): boolean {
  if (host.startsWith('[')) return !wildcard;
  if (host.length > 253) return false;
  const labels = host.split('.');
  // `https://*.com` would admit a whole top-level domain: a wildcard needs at least two labels after it.
  if (wildcard && labels.length < 2) return false;
  return labels.every((label) => LABEL.test(label));
}

/** An origin or (when `allowWildcard`) a pattern, or null when `text` is neither. */
export function parseOrigin(text: string, allowWildcard: boolean): ParsedOrigin | null {
  if (text.length > 300) return null;
  const match = ORIGIN.exec(text.toLowerCase());
  if (!match) return null;
  const [, scheme = '', star, host = '', rawPort] = match;
  if (star && !allowWildcard) return null;
  if (!hostIsValid(host, Boolean(star))) return null;
  let port = rawPort ?? '';
  if (port !== '') {
    const n = Number(port);
    if (n < 1 || n > 65535) return null;
    port = String(n);
    if (DEFAULT_PORTS[scheme] === port) port = '';
  }
  return { scheme, host, port, wildcard: Boolean(star) };
}

/** Why `text` is not a usable origin pattern, or null when it is. */
export function originPatternProblem(text: string): string | null {
  if (parseOrigin(text, true)) return null;
  if (text.length > 300) return 'an origin is at most 300 characters';
  if (/^[a-z][a-z0-9+.-]*:\/\/[^/]+\/./i.test(text) || text.endsWith('/')) return `${text} is not an origin: remove the path (an origin is scheme://host[:port])`;
  if (/^[a-z][a-z0-9+.-]*:\/\/\*\.[^.]+$/i.test(text)) return `${text}: a wildcard needs a domain of two or more labels after it, as in https://*.example.com`;
  if (/\*/.test(text)) return `${text}: a wildcard may only be the first label of the host, as in https://*.example.com`;
  return `${text} is not an origin like https://app.example.com or https://*.example.com`;
}

/** Whether the parsed `origin` (never a pattern) is allowed by the parsed `pattern`. */
export function originMatches(pattern: ParsedOrigin, origin: ParsedOrigin): boolean {
  if (pattern.scheme !== origin.scheme || pattern.port !== origin.port) return false;
  if (!pattern.wildcard) return pattern.host === origin.host;
  return origin.host.endsWith(`.${pattern.host}`) && !origin.host.startsWith('[');
}
