import type { LeakEntry, LeakSource } from '../../shared/schemas/leak';

/** The shape of a leak record (see leaks.repo.ts for its two kinds), kept beside collections.ts. */
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
  /** On the `first:` document: when its handling (action, audit, notices) was complete. */
  handledAt?: Date | null;
}
