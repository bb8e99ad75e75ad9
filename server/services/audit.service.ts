import type { AuditAction } from '../../shared/schemas/audit';
import type { AuditRecord, AuditRepo } from '../db/audit.repo';
import type { Deps } from '../deps';
import { keysetPage, positionCursor } from '../lib/pagination';
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

/** An audit record as the API shows it (the team is implied by the request). */
export const toAuditItem = ({ teamId: _teamId, ...rest }: AuditRecord) => rest;
export type AuditItem = ReturnType<typeof toAuditItem>;

/** Told of every record once it is written (webhooks turn records into events). Must be idempotent on the record's id. */
export type AuditListener = (record: AuditRecord) => Promise<void>;

export function auditService(deps: Deps, repo: AuditRepo) {
  const listeners: AuditListener[] = [];
  return {
    onRecord(listener: AuditListener) {
      listeners.push(listener);
    },

    async record(entry: AuditEntry): Promise<void> {
      const ids = entry.targetIds ?? [];
      const record: AuditRecord = {
        id: entry.id ?? newId('aud'),
        teamId: entry.teamId,
        at: entry.at ?? deps.now(),
        actor: { userId: entry.actor.userId, email: entry.actor.email, role: entry.actor.role, ...entry.actor.token },
        action: entry.action,
        targets: { ids: ids.slice(0, MAX_TARGET_IDS), count: entry.targetCount ?? ids.length },
        details: entry.details ?? null,
        ip: entry.actor.ip,
        userAgent: entry.actor.userAgent,
      };
      await repo.insert(record);
      // After the write, so a retry of the same record (same id) re-runs them: they are at-least-once.
      for (const listener of listeners) await listener(record);
    },

    /** Newest first, keyset-paginated on (at, id). */
    async list(teamId: string, cursor: string | undefined, limit: number): Promise<{ items: AuditItem[]; nextCursor: string | null }> {
      const page = keysetPage(await repo.list(teamId, positionCursor.at.decode(cursor), limit + 1), limit, positionCursor.at.encode);
      return { items: page.rows.map(toAuditItem), nextCursor: page.nextCursor };
    },

    stream: (teamId: string) => repo.stream(teamId),
  };
}
export type AuditService = ReturnType<typeof auditService>;
