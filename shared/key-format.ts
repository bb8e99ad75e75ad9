/**
 * The Keywarden key format: `kw_` + 30 base62 random characters + 6 base62
 * characters of CRC32 over the random part (GitHub's token design). The fixed
 * prefix lets scanners find leaked keys; the checksum lets the extension and
 * the verify API reject typos and junk without touching the database. Team API
 * tokens use the same format with their own prefix, `kwt_` (`SECRET_FORMATS`).
 *
 * Pure and dependency-free: shared by the server and the extension.
 */

export const KEY_PREFIX = 'kw_';
export const TOKEN_PREFIX = 'kwt_';
export const KEY_RANDOM_LENGTH = 30;
export const KEY_CHECKSUM_LENGTH = 6;
export const KEY_LENGTH = KEY_PREFIX.length + KEY_RANDOM_LENGTH + KEY_CHECKSUM_LENGTH;
export const TOKEN_LENGTH = TOKEN_PREFIX.length + KEY_RANDOM_LENGTH + KEY_CHECKSUM_LENGTH;

/** The two kinds of secret Keywarden issues, one format apart from the prefix. */
export type SecretKind = 'key' | 'token';
export const SECRET_PREFIXES: Record<SecretKind, string> = { key: KEY_PREFIX, token: TOKEN_PREFIX };

const BASE62 = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';
const BASE62_CHAR = /^[0-9A-Za-z]+$/;

const CRC_TABLE = (() => {
  const table = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    table[n] = c >>> 0;
  }
  return table;
})();

/** CRC-32 (IEEE 802.3) over the string's char codes; callers pass ASCII only. */
export function crc32(text: string): number {
  let crc = 0xffffffff;
  for (let i = 0; i < text.length; i++) {
    crc = CRC_TABLE[(crc ^ text.charCodeAt(i)) & 0xff]! ^ (crc >>> 8);
  }
  return (crc ^ 0xffffffff) >>> 0;
}

/** Fixed-width base62 of a 32-bit number (62^6 > 2^32, so 6 characters always suffice). */
export function checksumOf(random: string): string {
  let n = crc32(random);
  let out = '';
  for (let i = 0; i < KEY_CHECKSUM_LENGTH; i++) {
    out = BASE62[n % 62] + out;
    n = Math.floor(n / 62);
  }
  return out;
}

/** Uniform random base62 string via rejection sampling (no modulo bias). */
export function randomBase62(length: number): string {
  let out = '';
  const buf = new Uint8Array(length * 2);
  while (out.length < length) {
    globalThis.crypto.getRandomValues(buf);
    for (const byte of buf) {
      if (byte < 248) out += BASE62[byte % 62];
      if (out.length === length) break;
    }
  }
  return out;
}

function generateSecret(prefix: string): string {
  const random = randomBase62(KEY_RANDOM_LENGTH);
  return prefix + random + checksumOf(random);
}

export function generateKey(): string {
  return generateSecret(KEY_PREFIX);
}

/** A team API token: the key format with the `kwt_` prefix. */
export function generateToken(): string {
  return generateSecret(TOKEN_PREFIX);
}

export type KeyParseFailure = 'prefix' | 'length' | 'charset' | 'checksum';
export type KeyParseResult = { ok: true; key: string } | { ok: false; reason: KeyParseFailure };

function parseSecret(prefix: string, input: string): KeyParseResult {
  const key = input.trim();
  if (!key.startsWith(prefix)) return { ok: false, reason: 'prefix' };
  if (key.length !== prefix.length + KEY_RANDOM_LENGTH + KEY_CHECKSUM_LENGTH) return { ok: false, reason: 'length' };
  const body = key.slice(prefix.length);
  if (!BASE62_CHAR.test(body)) return { ok: false, reason: 'charset' };
  const random = body.slice(0, KEY_RANDOM_LENGTH);
  if (checksumOf(random) !== body.slice(KEY_RANDOM_LENGTH)) return { ok: false, reason: 'checksum' };
  return { ok: true, key };
}

/** Checks prefix, length, alphabet and checksum; never needs the database. */
export function parseKey(input: string): KeyParseResult {
  return parseSecret(KEY_PREFIX, input);
}

/** `parseKey` for team API tokens (`kwt_`); `key` in the result is the token. */
export function parseToken(input: string): KeyParseResult {
  return parseSecret(TOKEN_PREFIX, input);
}

/** Which kind of secret `input` is, if either (a leak report may carry keys and tokens alike). */
export function parseSecretOfAnyKind(input: string): { kind: SecretKind; value: string } | null {
  for (const kind of ['token', 'key'] as const) {
    const parsed = parseSecret(SECRET_PREFIXES[kind], input);
    if (parsed.ok) return { kind, value: parsed.key };
  }
  return null;
}

const candidate = (prefix: string) => new RegExp(`${prefix}[0-9A-Za-z]{${KEY_RANDOM_LENGTH + KEY_CHECKSUM_LENGTH}}(?![0-9A-Za-z])`, 'g');
const CANDIDATES: Record<SecretKind, RegExp> = { key: candidate(KEY_PREFIX), token: candidate(TOKEN_PREFIX) };

function findSecrets(kind: SecretKind, text: string): string[] {
  const found = new Set<string>();
  for (const match of text.matchAll(CANDIDATES[kind])) {
    const start = match.index ?? 0;
    // Part of a longer token (say, `xkw_…`) is not a key either.
    if (start > 0 && /[0-9A-Za-z_]/.test(text[start - 1]!)) continue;
    if (parseSecret(SECRET_PREFIXES[kind], match[0]).ok) found.add(match[0]);
  }
  return [...found];
}

/**
 * Every distinct key in `text` whose checksum holds (a typo or a look-alike is not one): the leak
 * guard's scan of a page and the scrub of webhook payloads both ask this.
 */
export function findKeys(text: string): string[] {
  return findSecrets('key', text);
}

/** Every distinct team API token in `text` whose checksum holds. */
export function findTokens(text: string): string[] {
  return findSecrets('token', text);
}

/** Keys and tokens alike: what the leak guard looks for on a page. */
export function findSecretsOfAnyKind(text: string): string[] {
  return [...findKeys(text), ...findTokens(text)];
}

/** Characters nothing draws (zero-width, joiners, soft hyphen, bidi marks, variation selectors, tags). */
const INVISIBLE = /\p{Default_Ignorable_Code_Point}/gu;
const ANY_CASE_PREFIX = /kwt?_/gi;

/**
 * Whether `text` shows a key to whoever reads or copies it, even a key `findKeys` would pass over:
 * split by characters nothing draws, written in full-width forms or with the prefix in capitals,
 * or glued to the letters around it. Text shown to others (a name) asks this; a page scan keeps to
 * `findKeys`, whose boundaries spare longer tokens.
 */
export function holdsKey(text: string): boolean {
  const seen = text.replace(INVISIBLE, '').normalize('NFKC').replace(INVISIBLE, '');
  for (const match of seen.matchAll(ANY_CASE_PREFIX)) {
    // A team API token counts too: it is as much a secret as a key.
    const prefix = match[0].length === TOKEN_PREFIX.length ? TOKEN_PREFIX : KEY_PREFIX;
    const start = (match.index ?? 0) + prefix.length;
    if (parseSecret(prefix, prefix + seen.slice(start, start + KEY_RANDOM_LENGTH + KEY_CHECKSUM_LENGTH)).ok) return true;
  }
  return false;
}

/** The display hint stored beside a key: enough to recognise it, useless to an attacker. */
export function keyHint(key: string): string {
  const prefix = key.startsWith(TOKEN_PREFIX) ? TOKEN_PREFIX : KEY_PREFIX;
  return `${key.slice(0, prefix.length + 4)}…${key.slice(-4)}`;
}

export const KEY_PARSE_MESSAGES: Record<KeyParseFailure, string> = {
  prefix: 'An API key starts with "kw_".',
  length: `An API key is exactly ${KEY_LENGTH} characters long.`,
  charset: 'An API key contains only letters and digits after "kw_".',
  checksum: 'This is not a valid API key: its checksum does not match (a typo?).',
};
