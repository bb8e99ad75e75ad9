import { createHash, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { randomBase62 } from '../../shared/key-format';

/** Public ids: a type prefix and 20 base62 characters (~119 bits). */
export function newId(prefix: 'key' | 'team' | 'usr' | 'aud' | 'act' | 'ntf' | 'inv' | 'kreq' | 'idn'): string {
  return `${prefix}_${randomBase62(20)}`;
}

/** The key's storage id: HMAC-SHA256 under the server's pepper, hex. */
export function hashKey(pepper: string, key: string): string {
  return createHmac('sha256', pepper).update(key).digest('hex');
}

export function sha256(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

export function randomToken(bytes = 32): string {
  return randomBytes(bytes).toString('base64url');
}

export function safeEqual(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}
