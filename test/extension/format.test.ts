import { describe, expect, it } from 'vitest';
import { relative } from '../../extension/lib/format';
import { pick, plural } from '../../shared/plural';

describe('plural', () => {
  it('agrees the word with the count by the English plural rules', () => {
    expect([0, 1, 2, 1.5, 1000].map((n) => plural(n, 'key', 'keys'))).toEqual(['0 keys', '1 key', '2 keys', '1.5 keys', '1,000 keys']);
    expect(plural(1, 'refused try', 'refused tries')).toBe('1 refused try');
    expect([1, 3].map((n) => pick(n, 'it', 'them'))).toEqual(['it', 'them']);
  });

  it('reads relative times in the singular for one', () => {
    const now = Date.parse('2026-01-10T12:00:00Z');
    expect(relative(new Date(now + 86_400_000), now)).toBe('in 1 day');
    expect(relative(new Date(now - 2 * 3_600_000), now)).toBe('2 hours ago');
  });
});
