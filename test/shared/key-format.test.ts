import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { checksumOf, crc32, generateKey, KEY_LENGTH, keyHint, parseKey } from '../../shared/key-format';

const BASE62 = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';
const base62Char = fc.constantFrom(...BASE62.split(''));
const randomPart = fc.array(base62Char, { minLength: 30, maxLength: 30 }).map((a) => a.join(''));

describe('key format', () => {
  it('computes the standard CRC-32', () => {
    expect(crc32('123456789')).toBe(0xcbf43926);
  });

  it('generates keys that always parse', () => {
    for (let i = 0; i < 2000; i++) {
      const key = generateKey();
      expect(key).toHaveLength(KEY_LENGTH);
      expect(parseKey(key)).toEqual({ ok: true, key });
    }
  });

  it('accepts any random part with its own checksum', () => {
    fc.assert(fc.property(randomPart, (random) => parseKey(`kw_${random}${checksumOf(random)}`).ok));
  });

  it('rejects every single-character change', () => {
    fc.assert(
      fc.property(randomPart, fc.nat(35), base62Char, (random, position, replacement) => {
        const key = `kw_${random}${checksumOf(random)}`;
        const index = 3 + position;
        fc.pre(key[index] !== replacement);
        const changed = key.slice(0, index) + replacement + key.slice(index + 1);
        return !parseKey(changed).ok;
      }),
      { numRuns: 5000 },
    );
  });

  it('names what is wrong with a non-key', () => {
    const key = generateKey();
    expect(parseKey('sk_live_123')).toEqual({ ok: false, reason: 'prefix' });
    expect(parseKey(key.slice(0, -1))).toEqual({ ok: false, reason: 'length' });
    expect(parseKey(`${key.slice(0, -1)}-`)).toEqual({ ok: false, reason: 'charset' });
    expect(parseKey(`  ${key}\n`)).toEqual({ ok: true, key });
  });

  it('builds a hint that reveals 4 random characters and the last 4', () => {
    const key = generateKey();
    const hint = keyHint(key);
    expect(hint).toBe(`${key.slice(0, 7)}…${key.slice(-4)}`);
  });
});
