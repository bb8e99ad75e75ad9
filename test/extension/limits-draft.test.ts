import { describe, expect, it } from 'vitest';
import type { KeyLimits } from '../../shared/schemas/limits';
import { draftOf, inputOf, NEW_RATELIMIT, type LimitsDraft } from '../../extension/lib/limits-draft';

/** Issue 25: the limits form's draft and what keys.update is sent from it. */
const LIMITS: KeyLimits = {
  ratelimits: [
    { name: 'per_second', limit: 10, durationMs: 1000, autoApply: true },
    { name: 'per_minute', limit: 100, durationMs: 60_000, autoApply: false },
    { name: 'per_day', limit: 5000, durationMs: 86_400_000, autoApply: true },
    { name: 'odd', limit: 3, durationMs: 1500, autoApply: true },
  ],
  credits: { remaining: 42, refill: { amount: 500, interval: 'monthly', refillDay: 31 } },
};
const NONE: LimitsDraft = draftOf({ ratelimits: [], credits: null });

const errorsOf = (draft: LimitsDraft) => {
  const result = inputOf(draft);
  if (result.ok) throw new Error(`expected problems, got ${JSON.stringify(result.input)}`);
  return result.errors;
};

describe('limits draft', () => {
  it('shows each window in the largest unit it is a whole number of', () => {
    expect(draftOf(LIMITS).ratelimits.map((l) => `${l.window} ${l.unit}`)).toEqual(['1 seconds', '1 minutes', '24 hours', '1.5 seconds']);
  });

  it('gives back the limits it was made from', () => {
    expect(inputOf(draftOf(LIMITS))).toEqual({ ok: true, input: LIMITS });
    expect(inputOf(NONE)).toEqual({ ok: true, input: { ratelimits: [], credits: null } });
  });

  it('leaves the credits out when the admin did not change them (the balance moved on since the form opened)', () => {
    const loaded = draftOf(LIMITS);
    const fewer = { ...loaded, ratelimits: loaded.ratelimits.slice(1) };
    expect(inputOf(fewer, loaded)).toStrictEqual({ ok: true, input: { ratelimits: LIMITS.ratelimits!.slice(1) } });
    expect(inputOf({ ...loaded, remaining: '5' }, loaded)).toMatchObject({ input: { credits: { remaining: 5 } } });
    expect(inputOf({ ...loaded, creditsOn: false }, loaded)).toMatchObject({ input: { credits: null } });
  });

  it('starts the credits off with no refill and a monthly refill day of 1 for a key without credits', () => {
    expect(NONE).toMatchObject({ creditsOn: false, remaining: '', refill: 'none', amount: '', refillDay: '1' });
  });

  it('turns a window and its unit into durationMs', () => {
    const draft = { ...NONE, ratelimits: [{ name: 'hourly', limit: '7', window: '2', unit: 'hours' as const, autoApply: false }] };
    expect(inputOf(draft)).toEqual({ ok: true, input: { ratelimits: [{ name: 'hourly', limit: 7, durationMs: 7_200_000, autoApply: false }], credits: null } });
  });

  it('sends credits without a refill, a daily refill without a day, and a monthly refill with its day', () => {
    const on = { ...NONE, creditsOn: true, remaining: '20', amount: '100', refillDay: '31' };
    expect(inputOf({ ...on, refill: 'none' })).toMatchObject({ input: { credits: { remaining: 20, refill: null } } });
    expect(inputOf({ ...on, refill: 'daily' })).toStrictEqual({ ok: true, input: { ratelimits: [], credits: { remaining: 20, refill: { amount: 100, interval: 'daily' } } } });
    expect(inputOf({ ...on, refill: 'monthly' })).toMatchObject({ input: { credits: { remaining: 20, refill: { amount: 100, interval: 'monthly', refillDay: 31 } } } });
  });

  it('keys every problem by the field that shows it, labelled with the field', () => {
    const draft: LimitsDraft = {
      ...NONE,
      ratelimits: [
        { name: 'ok', limit: '1', window: '1', unit: 'seconds', autoApply: true },
        { name: 'Bad Name', limit: '0', window: '0', unit: 'minutes', autoApply: true },
      ],
      creditsOn: true,
      remaining: '-1',
      refill: 'monthly',
      amount: '0',
      refillDay: '32',
    };
    expect(errorsOf(draft)).toEqual({
      'ratelimits.1.name': 'Rate limit 2, name: a rate limit name uses only a-z, 0-9, _ and -',
      'ratelimits.1.limit': 'Rate limit 2, limit (calls): limit is at least 1',
      'ratelimits.1.window': 'Rate limit 2, window: a window is 1 second to 24 hours',
      'credits.remaining': 'Credits, remaining: remaining is at least 0',
      'credits.amount': 'Credits, refill to: amount is at least 1',
      'credits.refillDay': 'Credits, refill day: refillDay is 1 to 31',
    });
  });

  it('says a window over a day or under a second is out of range', () => {
    const one = (window: string, unit: 'seconds' | 'hours') => ({ ...NONE, ratelimits: [{ ...NEW_RATELIMIT, name: 'w', limit: '1', window, unit }] });
    expect(errorsOf(one('25', 'hours'))).toEqual({ 'ratelimits.0.window': 'Rate limit 1, window: a window is 1 second to 24 hours' });
    expect(errorsOf(one('0.5', 'seconds'))).toEqual({ 'ratelimits.0.window': 'Rate limit 1, window: a window is 1 second to 24 hours' });
  });

  it('asks for a number where a field is empty or not a number', () => {
    const draft = { ...NONE, ratelimits: [{ ...NEW_RATELIMIT, name: 'x', limit: '', window: 'abc' }], creditsOn: true, remaining: ' ' };
    expect(errorsOf(draft)).toEqual({
      'ratelimits.0.limit': 'Rate limit 1, limit (calls): enter a number',
      'ratelimits.0.window': 'Rate limit 1, window: enter a number',
      'credits.remaining': 'Credits, remaining: enter a number',
    });
  });

  it('refuses two rate limits of the same name on the list as a whole, and a whole number is required', () => {
    const twice = { ...NEW_RATELIMIT, name: 'same', limit: '1' };
    expect(errorsOf({ ...NONE, ratelimits: [twice, twice] })).toEqual({ ratelimits: 'Rate limits: rate limit names must be unique' });
    expect(errorsOf({ ...NONE, ratelimits: [{ ...twice, limit: '2.5' }] })).toEqual({ 'ratelimits.0.limit': 'Rate limit 1, limit (calls): limit must be a whole number' });
  });

  it('refuses a sixth rate limit', () => {
    const six = Array.from({ length: 6 }, (_, i) => ({ ...NEW_RATELIMIT, name: `l${i}`, limit: '1' }));
    expect(errorsOf({ ...NONE, ratelimits: six })).toEqual({ ratelimits: 'Rate limits: at most 5 rate limits' });
  });
});
