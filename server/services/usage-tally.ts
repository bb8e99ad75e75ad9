import { createHash } from 'node:crypto';
import { CONTROL_OR_BIDI } from '../../shared/schemas/common';
import type { VerifyCounts } from '../db/activity-docs';
import type { UsageDelta } from '../db/usage.repo';

/** One (key, UTC hour)'s counts in memory since its last flush, and what a flush adds of them (usage-recorder.ts). */

export const MAX_IP_LENGTH = 64;
const MAX_USER_AGENT_LENGTH = 256;

/**
 * What a verification that reached the key's policy asked with (verify's `context` and query,
 * never verify's own caller): `keys.previewRestrictions` replays these. Kept per key, hour and
 * instance with a count each, up to USAGE_MAX_CALLS combinations, USAGE_MAX_ORIGINS origins and
 * USAGE_MAX_QUERIES queries; a verification past a cap is counted in `callsCapped` only.
 */
export interface RecordedCall {
  ip: string | null;
  origin: string | null;
  permissions: string | null;
}
export const USAGE_MAX_CALLS = 200;
export const USAGE_MAX_ORIGINS = 20;
export const USAGE_MAX_QUERIES = 50;

/** A combination's field name in the usage document: short, and free of `.` and `$`. */
export const callSignature = (c: RecordedCall) => createHash('sha256').update(JSON.stringify([c.ip, c.origin, c.permissions])).digest('base64url').slice(0, 16).replace(/^-/, '_');

export interface Tally extends VerifyCounts {
  rateLimited: number;
  usageExceeded: number;
  keyId: string | null;
  teamId: string | null;
  hour: number;
  /** Every address this instance saw in the hour (up to the cap); `newIps` are those no flush took yet. */
  ips: Set<string>;
  newIps: string[];
  ipsCapped: boolean;
  lastValid: { at: number; ip: string | null; ua: string | null } | null;
  lastFail: { at: number; code: 'REVOKED' | 'DISABLED' | 'EXPIRED'; ip: string | null; ua: string | null } | null;
  /** Verifications refused by the key's policy: `FORBIDDEN` (address or origin) and `INSUFFICIENT_PERMISSIONS`. */
  forbidden: number;
  insufficientPermissions: number;
  /** Every combination, origin and query this instance saw in the hour (up to the caps), by an in-memory key. */
  callKeys: Set<string>;
  origins: Set<string>;
  queries: Set<string>;
  /** Counts per combination since the last flush. */
  newCalls: Map<string, RecordedCall & { count: number }>;
  callsCapped: number;
  /** Whether anything was counted that no flush took yet. */
  pending: boolean;
  /** Flushes that took this tally's counts and were not confirmed: each is retried, under its id, until it is. */
  unconfirmed: { flushId: string; delta: UsageDelta }[];
  /** Whether a confirmed flush wrote this (key, hour)'s document, so it exists. */
  stored: boolean;
}

const noCounts = (): Required<VerifyCounts> => ({ valid: 0, revoked: 0, disabled: 0, expired: 0, malformed: 0, notFound: 0, rateLimited: 0, usageExceeded: 0 });

export const newTally = (key: { id: string; teamId: string } | null, hour: number): Tally => ({
  keyId: key?.id ?? null,
  teamId: key?.teamId ?? null,
  hour,
  ...noCounts(),
  ips: new Set(),
  newIps: [],
  ipsCapped: false,
  forbidden: 0,
  insufficientPermissions: 0,
  callKeys: new Set(),
  origins: new Set(),
  queries: new Set(),
  newCalls: new Map(),
  callsCapped: 0,
  lastValid: null,
  lastFail: null,
  pending: false,
  unconfirmed: [],
  stored: false,
});

const CONTROL_OR_BIDI_ALL = new RegExp(CONTROL_OR_BIDI.source, 'g');
/** Caller-supplied text is stored short and without control or bidi characters. */
const clean = (text: string | null, max: number) => (text === null ? null : text.slice(0, max).replace(CONTROL_OR_BIDI_ALL, '?'));

/** Counts one verification's call, within the caps. */
export function countCall(t: Tally, call: RecordedCall): void {
  const key = `${call.ip}\u0000${call.origin}\u0000${call.permissions}`;
  if (!t.callKeys.has(key)) {
    const newOrigin = call.origin !== null && !t.origins.has(call.origin);
    const newQuery = call.permissions !== null && !t.queries.has(call.permissions);
    if (t.callKeys.size >= USAGE_MAX_CALLS || (newOrigin && t.origins.size >= USAGE_MAX_ORIGINS) || (newQuery && t.queries.size >= USAGE_MAX_QUERIES)) {
      t.callsCapped++;
      return;
    }
    t.callKeys.add(key);
    if (newOrigin) t.origins.add(call.origin!);
    if (newQuery) t.queries.add(call.permissions!);
  }
  const counted = t.newCalls.get(key);
  if (counted) counted.count++;
  else t.newCalls.set(key, { ...call, count: 1 });
}

/** Takes what was counted since the last flush out of the tally, as the delta a flush adds. */
export function takeDelta(t: Tally): UsageDelta {
  const delta: UsageDelta = {
    teamId: t.teamId,
    keyId: t.keyId,
    hour: new Date(t.hour),
    valid: t.valid,
    revoked: t.revoked,
    disabled: t.disabled,
    expired: t.expired,
    malformed: t.malformed,
    notFound: t.notFound,
    rateLimited: t.rateLimited,
    usageExceeded: t.usageExceeded,
    ips: t.newIps.map((ip) => clean(ip, MAX_IP_LENGTH)!),
    ipsCapped: t.ipsCapped,
    forbidden: t.forbidden,
    insufficientPermissions: t.insufficientPermissions,
    // Stored as asked: the context's lengths are bounded by VerifyRequestSchema, and replay must see what verify saw.
    calls: [...t.newCalls.values()].map((c) => ({ sig: callSignature(c), ip: c.ip, origin: c.origin, permissions: c.permissions, count: c.count })),
    callsCapped: t.callsCapped,
    lastValid: t.lastValid && { at: new Date(t.lastValid.at), ip: clean(t.lastValid.ip, MAX_IP_LENGTH), ua: clean(t.lastValid.ua, MAX_USER_AGENT_LENGTH) },
    lastFail: t.lastFail && { at: new Date(t.lastFail.at), code: t.lastFail.code, ip: clean(t.lastFail.ip, MAX_IP_LENGTH), ua: clean(t.lastFail.ua, MAX_USER_AGENT_LENGTH) },
  };
  Object.assign(t, noCounts(), { forbidden: 0, insufficientPermissions: 0, newCalls: new Map(), callsCapped: 0, newIps: [], lastValid: null, lastFail: null, pending: false });
  return delta;
}
