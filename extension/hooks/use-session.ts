import { useEffect, useMemo, useState } from 'preact/hooks';
import { sessionApi, type Api } from '../lib/api';
import { problemOf } from '../lib/session-problem';
import { currentTeam, DEFAULT_SETTINGS, getSettings, sessionItem, settingsItem, signOutReasonItem, type Session, type SessionTeam, type Settings } from '../lib/storage';

export interface SessionState {
  ready: boolean;
  session: Session | null;
  settings: Settings;
  team: SessionTeam | null;
  signOutReason: 'expired' | 'signed_out' | null;
  /** A client for the signed-in session (null when signed out). */
  api: Api | null;
}

/** The session and settings from extension storage, live: every page follows sign-in/out at once. */
export function useSession(): SessionState {
  const [session, setSession] = useState<Session | null>(null);
  const [settings, setSettings] = useState<Settings>(DEFAULT_SETTINGS);
  const [reason, setReason] = useState<'expired' | 'signed_out' | null>(null);
  const [ready, setReady] = useState(false);

  useEffect(() => {
    let alive = true;
    void Promise.all([sessionItem.getValue(), getSettings(), signOutReasonItem.getValue()]).then(([s, st, r]) => {
      if (!alive) return;
      setSession(s);
      setSettings(st);
      setReason(r);
      setReady(true);
    });
    const unwatch = [
      sessionItem.watch((s) => setSession(s)),
      settingsItem.watch((st) => setSettings({ ...DEFAULT_SETTINGS, ...st })),
      signOutReasonItem.watch((r) => setReason(r)),
    ];
    return () => {
      alive = false;
      unwatch.forEach((u) => u());
    };
  }, []);

  const api = useMemo(() => (session ? sessionApi(session) : null), [session?.serverUrl, session?.token]);
  useEffect(() => {
    if (api) void refreshTeams(api);
  }, [api]);
  return { ready, session, settings, team: currentTeam(session, settings), signOutReason: reason, api };
}

/**
 * Roles and teams change on the server; re-read them once per page open so the
 * UI never offers admin screens to someone who was demoted. A 401 here is how
 * an expired session is usually noticed.
 */
export async function refreshTeams(api: Api): Promise<void> {
  try {
    const me = await api.auth.me.query();
    const stored = await sessionItem.getValue();
    if (stored && JSON.stringify(stored.teams) !== JSON.stringify(me.teams)) await sessionItem.setValue({ ...stored, teams: me.teams });
  } catch (err) {
    await problemOf(err);
  }
}
