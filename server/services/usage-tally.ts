import { CONTROL_OR_BIDI } from '../../shared/schemas/common';
import type { VerifyCounts } from '../db/activity-docs';
import type { UsageRecord } from '../db/usage.repo';

/** One (key, UTC hour)'s running totals in memory, and the document a flush writes of them (usage-recorder.ts). */

export const MAX_IP_LENGTH = 64;
const MAX_USER_AGENT_LENGTH = 256;

export interface Tally extends VerifyCounts {
  keyId: string | null;
  teamId: string | null;
  hour: number;
  ips: Set<string>;
  ipsCapped: boolean;
  lastValidAt: number;
  lastValidIp: string | null;
  lastValidUa: string | null;
  lastFailAt: number;
  lastFailCode: 'REVOKED' | 'DISABLED' | 'EXPIRED' | null;
  lastFailIp: string | null;
  lastFailUa: string | null;
  /** Bumped by every count; `written` is the version the newest confirmed document holds. */
  version: number;
  written: number;
  lastId: string | null;
  unconfirmed: string[];
}

export const newTally = (key: { id: string; teamId: string } | null, hour: number): Tally => ({
  keyId: key?.id ?? null,
  teamId: key?.teamId ?? null,
  hour,
  valid: 0,
  revoked: 0,
  disabled: 0,
  expired: 0,
  malformed: 0,
  notFound: 0,
  ips: new Set(),
  ipsCapped: false,
  lastValidAt: 0,
  lastValidIp: null,
  lastValidUa: null,
  lastFailAt: 0,
  lastFailCode: null,
  lastFailIp: null,
  lastFailUa: null,
  version: 0,
  written: 0,
  lastId: null,
  unconfirmed: [],
});

const CONTROL_OR_BIDI_ALL = new RegExp(CONTROL_OR_BIDI.source, 'g');
/** Caller-supplied text is stored short and without control or bidi characters. */
const clean = (text: string | null, max: number) => (text === null ? null : text.slice(0, max).replace(CONTROL_OR_BIDI_ALL, '?'));

export function toRecord(t: Tally, instance: string, seq: number, id: string): UsageRecord {
  return {
    id,
    instance,
    seq,
    teamId: t.teamId,
    keyId: t.keyId,
    hour: new Date(t.hour),
    valid: t.valid,
    revoked: t.revoked,
    disabled: t.disabled,
    expired: t.expired,
    malformed: t.malformed,
    notFound: t.notFound,
    ips: [...t.ips].map((ip) => clean(ip, MAX_IP_LENGTH)!),
    ipsCapped: t.ipsCapped,
    lastValidAt: t.lastValidAt ? new Date(t.lastValidAt) : null,
    lastValidIp: clean(t.lastValidIp, MAX_IP_LENGTH),
    lastValidUa: clean(t.lastValidUa, MAX_USER_AGENT_LENGTH),
    lastFailAt: t.lastFailAt ? new Date(t.lastFailAt) : null,
    lastFailCode: t.lastFailCode,
    lastFailIp: clean(t.lastFailIp, MAX_IP_LENGTH),
    lastFailUa: clean(t.lastFailUa, MAX_USER_AGENT_LENGTH),
  };
}
