import type { Notification } from '../../shared/schemas/notification';

/**
 * Popup labels and desktop-notification titles for the two leak alarms. The
 * server words each notice (where the key was found, what was done, or the
 * canary's source address and user agent); the popup shows that sentence.
 */
export type LeakKind = Extract<Notification['kind'], 'key_leaked' | 'canary_triggered'>;

export const LEAK_LABELS: Record<LeakKind, string> = {
  key_leaked: 'Leaked',
  canary_triggered: 'Canary used',
};

const DESKTOP_TITLES: Record<LeakKind, string> = {
  key_leaked: 'An API key of your team leaked',
  canary_triggered: 'A canary key was used',
};

/** Both alarms raise a desktop notification, like a revocation. */
export const isLeakAlarm = (n: { kind: string }): n is { kind: LeakKind } => n.kind in LEAK_LABELS;

export const leakDesktopTitle = (kind: string): string | null => (kind in DESKTOP_TITLES ? DESKTOP_TITLES[kind as LeakKind] : null);
