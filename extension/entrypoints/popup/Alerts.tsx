import { useEffect, useState } from 'preact/hooks';
import { browser } from 'wxt/browser';
import { isAdminRole } from '../../../shared/schemas/common';
import type { Notification } from '../../../shared/schemas/notification';
import { generateInDashboardUrl } from '../../components/GenerateKeyDialog';
import { Loading } from '../../components/Loading';
import { NoticeList } from '../../components/NoticeList';
import { ProblemBox } from '../../components/ProblemBox';
import { useAction, useAsync } from '../../hooks/use-async';
import type { Api } from '../../lib/api';
import { requestAlertsRefresh } from '../../lib/messages';
import { sessionItem, updateSettings, type Session } from '../../lib/storage';

/** The popup shows a few notices; the rest are one click away, so it stays one screen high. */
const VISIBLE = 3;
const PAGE = 10;

/**
 * Newest notices across all the user's teams; marking read also repaints the badge. A revocation
 * offers "Generate a replacement" in teams where the user may generate keys.
 */
export function Alerts({ api, serverUrl }: { api: Api; serverUrl: string }) {
  const notices = useAsync(() => api.notifications.list.query({ limit: PAGE }), [api], serverUrl);
  const [older, setOlder] = useState<{ items: Notification[]; cursor: string | null } | null>(null);
  const { busy, problem, act } = useAction(serverUrl);
  const session = useStoredSession();

  const items = [...(notices.data?.items ?? []), ...(older?.items ?? [])];
  const cursor = older ? older.cursor : (notices.data?.nextCursor ?? null);
  const replaceable = (n: Notification) => n.kind === 'key_revoked' || n.kind === 'key_expired';
  const teamIds = [...new Set(items.filter(replaceable).map((n) => n.teamId))].sort();
  // Whether members may generate is a team setting; admins always may.
  const mayGenerate = useAsync(
    async () => {
      const entries = await Promise.all(
        teamIds.map(async (teamId) => {
          const role = session?.teams.find((t) => t.teamId === teamId)?.role;
          if (!role) return [teamId, false] as const;
          if (isAdminRole(role)) return [teamId, true] as const;
          const settings = await api.settings.get.query({ teamId }).catch(() => null);
          return [teamId, settings?.allowMemberKeyGeneration === true] as const;
        }),
      );
      return new Map<string, boolean>(entries);
    },
    [api, session, teamIds.join(',')],
    serverUrl,
  );

  const markRead = async (ids: string[] | 'all') => {
    const done = await act(() => api.notifications.markRead.mutate(ids === 'all' ? { all: true } : { ids }));
    if (done) {
      setOlder(null);
      await notices.reload();
      await requestAlertsRefresh();
    }
  };
  const loadOlder = async () => {
    if (!cursor) return;
    const page = await act(() => api.notifications.list.query({ limit: PAGE, cursor }));
    if (page) setOlder({ items: [...(older?.items ?? []), ...page.items], cursor: page.nextCursor ?? null });
  };
  const openDashboard = async (n: Notification, url = browser.runtime.getURL('/dashboard.html')) => {
    await updateSettings({ teamId: n.teamId });
    await browser.tabs.create({ url });
  };

  return (
    <section class="section" aria-labelledby="alerts-heading">
      <h2 id="alerts-heading">Alerts</h2>
      {notices.status === 'error' ? <ProblemBox problem={notices.problem} onRetry={() => void notices.reload()} /> : null}
      {notices.data ? (
        <NoticeList
          items={items}
          busy={busy}
          visible={VISIBLE}
          meId={session?.user.id}
          hasOlder={cursor !== null}
          onLoadOlder={() => void loadOlder()}
          onMarkRead={(ids) => void markRead(ids)}
          canReplace={(n) => replaceable(n) && mayGenerate.data?.get(n.teamId) === true}
          onReplace={(n) => void openDashboard(n, generateInDashboardUrl(n.keys.length === 1 ? n.keys[0]!.name : undefined))}
          onOpenDashboard={(n) => void openDashboard(n)}
        />
      ) : notices.status === 'loading' ? (
        <Loading label="Loading alerts…" />
      ) : null}
      {problem ? <ProblemBox problem={problem} /> : null}
    </section>
  );
}

/** The signed-in session as stored (roles per team, the user's id), following changes. */
function useStoredSession(): Session | null {
  const [session, setSession] = useState<Session | null>(null);
  useEffect(() => {
    let alive = true;
    void sessionItem.getValue().then((s) => alive && setSession(s));
    const unwatch = sessionItem.watch((s) => setSession(s));
    return () => {
      alive = false;
      unwatch();
    };
  }, []);
  return session;
}
