import { CONTROL_OR_BIDI } from '../../shared/schemas/common';
import type { VerifyCounts } from '../db/activity-docs';
import type { UsageDelta } from '../db/usage.repo';

/** One (key, UTC hour)'s counts in memory since its last flush, and what a flush adds of them (usage-recorder.ts). */

export const MAX_IP_LENGTH = 64;
const MAX_USER_AGENT_LENGTH = 256;

export interface Tally extends Required<VerifyCounts> {
  keyId: string | null;
  teamId: string | null;
  hour: number;
  /** Every address this instance saw in the hour (up to the cap); `newIps` are those no flush took yet. */
  ips: Set<string>;
  newIps: string[];
  ipsCapped: boolean;
  lastValid: { at: number; ip: string | null; ua: string | null } | null;
  lastFail: { at: number; code: 'REVOKED' | 'DISABLED' | 'EXPIRED'; ip: string | null; ua: string | null } | null;
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
  lastValid: null,
  lastFail: null,
  pending: false,
  unconfirmed: [],
  stored: false,
});

const CONTROL_OR_BIDI_ALL = new RegExp(CONTROL_OR_BIDI.source, 'g');
/** Caller-supplied text is stored short and without control or bidi characters. */
const clean = (text: string | null, max: number) => (text === null ? null : text.slice(0, max).replace(CONTROL_OR_BIDI_ALL, '?'));

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
    lastValid: t.lastValid && { at: new Date(t.lastValid.at), ip: clean(t.lastValid.ip, MAX_IP_LENGTH), ua: clean(t.lastValid.ua, MAX_USER_AGENT_LENGTH) },
    lastFail: t.lastFail && { at: new Date(t.lastFail.at), code: t.lastFail.code, ip: clean(t.lastFail.ip, MAX_IP_LENGTH), ua: clean(t.lastFail.ua, MAX_USER_AGENT_LENGTH) },
  };
  Object.assign(t, noCounts(), { newIps: [], lastValid: null, lastFail: null, pending: false });
  return delta;
}
