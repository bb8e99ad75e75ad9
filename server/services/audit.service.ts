import type { AuditAction } from '../../shared/schemas/audit';
import type { AuditRecord, AuditRepo } from '../db/audit.repo';
import type { Deps } from '../deps';
import { decodeCursor, encodeCursor } from '../lib/cursor';
import { newId } from '../lib/ids';
import type { Actor } from './actor';

export interface AuditEntry {
  teamId: string;
  action: AuditAction;
  actor: Actor;
  targetIds?: string[];
  targetCount?: number;
  details?: Record<string, unknown>;
  /** Give one to make the write idempotent (e.g. derived from a bulk action's id). */
  id?: string;
  at?: Date;
}

/** Keeps at most this many target ids per record; the count is always exact. */
const MAX_TARGET_IDS = 1000;

type AuditCursor = { a: number; i: string };
const isAuditCursor = (v: any): v is AuditCursor => typeof v?.a === 'number' && typeof v?.i === 'string';

/** An audit record as the API shows it (the team is implied by the request). */
export const toAuditItem = ({ teamId: _teamId, ...rest }: AuditRecord) => rest;
export type AuditItem = ReturnType<typeof toAuditItem>;

export function auditService(deps: Deps, repo: AuditRepo) {
  return {
    async record(entry: AuditEntry): Promise<void> {
      const ids = entry.targetIds ?? [];
      await repo.insert({
        id: entry.id ?? newId('aud'),
        teamId: entry.teamId,
        at: entry.at ?? deps.now(),
        actor: { userId: entry.actor.userId, email: entry.actor.email, role: entry.actor.role },
        action: entry.action,
        targets: { ids: ids.slice(0, MAX_TARGET_IDS), count: entry.targetCount ?? ids.length },
        details: entry.details ?? null,
        ip: entry.actor.ip,
        userAgent: entry.actor.userAgent,
      });
    },

    /** Newest first, keyset-paginated on (at, id). */
    async list(teamId: string, cursor: string | undefined, limit: number): Promise<{ items: AuditItem[]; nextCursor: string | null }> {
      const after = decodeCursor(cursor, isAuditCursor);
      const page = await repo.list(teamId, after ? { at: new Date(after.a), id: after.i } : null, limit + 1);
      const last = page.length > limit ? page[limit - 1]! : null;
      return { items: page.slice(0, limit).map(toAuditItem), nextCursor: last ? encodeCursor({ a: last.at.getTime(), i: last.id }) : null };
    },

    stream: (teamId: string) => repo.stream(teamId),
  };
}
export type AuditService = ReturnType<typeof auditService>;
