import { describe, expect, it } from 'vitest';
import { IDLE_DAYS, idleSince, isIdle } from '../../shared/idle';
import { DAY_MS } from '../../shared/time';

const now = new Date('2026-06-01T12:00:00Z');
const ago = (days: number) => new Date(now.getTime() - days * DAY_MS);

describe('the idle rule', () => {
  it('counts from the last use, or from creation for a key never used', () => {
    expect(isIdle({ createdAt: ago(100), lastUsedAt: ago(IDLE_DAYS) }, IDLE_DAYS, now)).toBe(true);
    expect(isIdle({ createdAt: ago(100), lastUsedAt: ago(IDLE_DAYS - 1) }, IDLE_DAYS, now)).toBe(false);
    expect(isIdle({ createdAt: ago(IDLE_DAYS + 1), lastUsedAt: null }, IDLE_DAYS, now)).toBe(true);
    expect(isIdle({ createdAt: ago(IDLE_DAYS - 1), lastUsedAt: null }, IDLE_DAYS, now)).toBe(false);
  });

  it('restarts the clock when a key is enabled again', () => {
    const k = { createdAt: ago(200), lastUsedAt: ago(100), enabledAt: ago(2) };
    expect(idleSince(k)).toEqual(ago(2));
    expect(isIdle(k, IDLE_DAYS, now)).toBe(false);
  });
});
