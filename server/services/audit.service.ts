import type { AuditAction } from '../../shared/schemas/audit';
import type { AuditRepo } from '../db/audit.repo';
import type { Deps } from '../deps';
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
  };
}
export type AuditService = ReturnType<typeof auditService>;
