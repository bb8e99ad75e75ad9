import type { NotificationKind } from '../../../shared/schemas/notification';

/**
 * What a notice about one owner's keys is worded from, shared by the general
 * wording (key-notice.ts) and the lifecycle wording (lifecycle-notice.ts), so
 * neither has to import the other for it.
 */
export interface KeyNoticeParams {
  kind: NotificationKind;
  teamName: string;
  keys: { name: string; hint: string; expiresAt: Date | null; revoked?: boolean }[];
  /** Who did it; null for Keywarden itself (expiry, warnings). */
  actorEmail: string | null;
  actorIsOwner: boolean;
  reason: string | null;
  at: Date;
  thresholdDays: number | null;
  maxLifetimeDays?: number | null;
  publicUrl: string;
}

/** Times in emails and in-app texts: the server's notices speak UTC, whoever reads them. */
export const formatWhen = (d: Date) => `${d.toISOString().slice(0, 16).replace('T', ' ')} UTC`;
