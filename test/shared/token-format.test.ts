import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  checksumOf,
  findKeys,
  findSecretsOfAnyKind,
  findTokens,
  generateKey,
  generateToken,
  holdsKey,
  keyHint,
  parseKey,
  parseSecretOfAnyKind,
  parseToken,
  TOKEN_LENGTH,
} from '../../shared/key-format';

const BASE62 = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';
const randomPart = fc.array(fc.constantFrom(...BASE62.split('')), { minLength: 30, maxLength: 30 }).map((a) => a.join(''));

/** Team API tokens: the key format with the `kwt_` prefix; keys (`kw_`) are exactly as before. */
describe('token format', () => {
  it('generates kwt_ tokens of 40 characters that parse as tokens and never as keys', () => {
    for (let i = 0; i < 500; i++) {
      const token = generateToken();
      expect(token).toMatch(/^kwt_[0-9A-Za-z]{36}$/);
      expect(token).toHaveLength(TOKEN_LENGTH);
      expect(parseToken(token)).toEqual({ ok: true, key: token });
      expect(parseKey(token).ok).toBe(false);
      expect(parseSecretOfAnyKind(token)).toEqual({ kind: 'token', value: token });
    }
  });

  it('keeps keys apart: a key is never a token', () => {
    const key = generateKey();
    expect(parseToken(key).ok).toBe(false);
    expect(parseSecretOfAnyKind(key)).toEqual({ kind: 'key', value: key });
  });

  it('checks the token checksum like the key checksum', () => {
    fc.assert(
      fc.property(randomPart, (random) => {
        const token = `kwt_${random}${checksumOf(random)}`;
        const typo = token.slice(0, -1) + (token.endsWith('A') ? 'B' : 'A');
        return parseToken(token).ok && !parseToken(typo).ok;
      }),
    );
  });

  it('finds tokens and keys in text for the leak guard, each only by its own prefix', () => {
    const key = generateKey();
    const token = generateToken();
    const text = `config: API_KEY=${key}\nKEYWARDEN_TOKEN=${token} and a longer xkwt_${token.slice(4)}`;
    expect(findKeys(text)).toEqual([key]);
    expect(findTokens(text)).toEqual([token]);
    expect(findSecretsOfAnyKind(text).sort()).toEqual([key, token].sort());
  });

  it('hints a token with its prefix and four characters each side', () => {
    const token = generateToken();
    expect(keyHint(token)).toBe(`kwt_${token.slice(4, 8)}…${token.slice(-4)}`);
  });

  it('counts a token in a name as a secret, even split by invisible characters', () => {
    const token = generateToken();
    expect(holdsKey(`deploy ${token}`)).toBe(true);
    expect(holdsKey(`deploy ${token.slice(0, 10)}\u200b${token.slice(10)}`)).toBe(true);
    expect(holdsKey(`deploy ${token.toUpperCase().slice(0, 4)}${token.slice(4)}`)).toBe(true);
    expect(holdsKey('deploy kwt_ notes')).toBe(false);
  });
});
