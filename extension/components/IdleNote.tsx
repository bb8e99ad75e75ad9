import type { KeyRow } from '../../shared/schemas/key';
import { plural } from '../lib/plural';
import { DAY_MS } from '../../shared/time';
import { IDLE_DAYS } from '../../shared/idle';

/** Whole days since the key's last verified use, or since its creation if it was never used. */
export function idleDaysOf(row: Pick<KeyRow, 'lastUsedAt' | 'createdAt'>, now: number): number {
  return Math.floor((now - new Date(row.lastUsedAt ?? row.createdAt).getTime()) / DAY_MS);
}

/** "unused for 94 days" on a key that still works and has not been used for a month or more. */
export function IdleNote({ row, now }: { row: Pick<KeyRow, 'status' | 'lastUsedAt' | 'createdAt'>; now: number }) {
  if (row.status === 'revoked') return null;
  const days = idleDaysOf(row, now);
  if (days < IDLE_DAYS) return null;
  return <span class="idle-note">unused for {plural(days, 'day')}</span>;
}
