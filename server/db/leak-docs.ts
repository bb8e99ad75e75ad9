import type { LeakEntry, LeakSource } from '../../shared/schemas/leak';

/** The shape of a leak report record (leaks.repo.ts), kept beside collections.ts. */
export interface LeakDoc {
  _id: string;
  kind: 'report' | 'first';
  keyId: string;
  teamId: string;
  ownerId: string;
  source: LeakSource;
  url: string | null;
  note: string | null;
  at: Date;
  action: LeakEntry['action'];
  actionId: string | null;
  ip: string | null;
  userAgent: string | null;
  /** On a legacy `first:` document (folded by migrate.ts): when its handling was complete. */
  handledAt?: Date | null;
}
