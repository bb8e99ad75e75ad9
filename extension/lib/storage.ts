import { storage } from 'wxt/utils/storage';
import type { MyTeam } from '../../shared/schemas/team';

/**
 * Everything the extension remembers. The session lives in chrome.storage.local:
 * only this extension's pages and service worker can read it (there are no
 * content scripts, and web pages have no access to extension storage).
 */

/**
 * A team of the session, as the server answers sign-in and auth.me. `canGenerate` is absent in a
 * session stored before the server sent it, until the page's refreshTeams: Generate is not offered
 * until the server has said so.
 */
export type SessionTeam = Omit<MyTeam, 'canGenerate'> & Partial<Pick<MyTeam, 'canGenerate'>>;

export interface Session {
  token: string;
  /** The server that issued the token; a different server URL means signing in again. */
  serverUrl: string;
  user: { id: string; email: string; name: string };
  teams: SessionTeam[];
}

export interface Settings {
  serverUrl: string;
  /** The team the popup and dashboard show; falls back to the first team of the session. */
  teamId: string | null;
  desktopNotifications: boolean;
  pollMinutes: number;
}

export const DEFAULT_SERVER_URL = 'http://localhost:8787';

export const DEFAULT_SETTINGS: Settings = {
  serverUrl: DEFAULT_SERVER_URL,
  teamId: null,
  desktopNotifications: true,
  pollMinutes: 1,
};

export const POLL_MINUTES_CHOICES = [1, 5, 15, 60] as const;

export const sessionItem = storage.defineItem<Session | null>('local:session', { fallback: null });

export const settingsItem = storage.defineItem<Settings>('local:settings', { fallback: DEFAULT_SETTINGS });

/** Why the last session ended, so the sign-in form can say "your session expired". */
export const signOutReasonItem = storage.defineItem<'expired' | 'signed_out' | null>('local:signOutReason', { fallback: null });

/**
 * The device token of the last sign-in, per server and email. Sent with the next code request, it
 * lets this browser ask for a code even when a stranger has used up the email's requests (README,
 * Sign-in security). Kept on sign-out on purpose: signing in again is when it is needed.
 */
export const deviceTokensItem = storage.defineItem<Record<string, string>>('local:deviceTokens', { fallback: {} });
const deviceKey = (serverUrl: string, email: string) => `${serverUrl}\n${email}`;

export async function deviceTokenFor(serverUrl: string, email: string): Promise<string | undefined> {
  return (await deviceTokensItem.getValue())[deviceKey(serverUrl, email)];
}

export async function rememberDeviceToken(serverUrl: string, email: string, token: string): Promise<void> {
  await deviceTokensItem.setValue({ ...(await deviceTokensItem.getValue()), [deviceKey(serverUrl, email)]: token });
}

/** Notice ids already raised as desktop notifications, so a poll never repeats one. */
export const seenNoticesItem = storage.defineItem<string[]>('local:seenNotices', { fallback: [] });

/**
 * A revocation waiting for the user's confirmation in the confirm window. In
 * session storage (memory only): it never outlives the browser session.
 */
export interface PendingRevoke {
  id: string;
  teamId: string;
  teamName: string;
  admin: boolean;
  key: { id: string; name: string; hint: string; status: string; ownerEmail: string; expiresAt: string | null };
}
export const pendingRevokeItem = storage.defineItem<PendingRevoke | null>('session:pendingRevoke', { fallback: null });

export async function getSettings(): Promise<Settings> {
  return { ...DEFAULT_SETTINGS, ...(await settingsItem.getValue()) };
}

export async function updateSettings(patch: Partial<Settings>): Promise<Settings> {
  const next = { ...(await getSettings()), ...patch };
  await settingsItem.setValue(next);
  return next;
}

/** The team in use: the chosen one if the session still has it, otherwise the first. */
export function currentTeam(session: Session | null, settings: Settings): SessionTeam | null {
  if (!session) return null;
  return session.teams.find((t) => t.teamId === settings.teamId) ?? session.teams[0] ?? null;
}

export async function endSession(reason: 'expired' | 'signed_out'): Promise<void> {
  // The reason first: whoever watches the session (the worker's badge, every page) reads it on the change.
  await signOutReasonItem.setValue(reason);
  await sessionItem.setValue(null);
  await seenNoticesItem.setValue([]);
}
