import { browser } from 'wxt/browser';
import type { Notification } from '../../../shared/schemas/notification';
import { AsyncStatus } from '../../components/AsyncStatus';
import { generateInDashboardUrl } from '../../components/GenerateKeyDialog';
import { NoticeList } from '../../components/NoticeList';
import { ProblemBox } from '../../components/ProblemBox';
import { useSignedIn } from '../../hooks/session-context';
import { useAction } from '../../hooks/use-async';
import { usePages } from '../../hooks/use-pages';
import { requestAlertsRefresh } from '../../lib/messages';
import { updateSettings } from '../../lib/storage';

/** The popup shows a few notices; the rest are one click away, so it stays one screen high. */
const VISIBLE = 3;
const PAGE = 10;

/**
 * Newest notices across all the user's teams; marking read also repaints the badge. A revocation
 * offers "Generate a replacement" in teams where the user may generate keys.
 */
export function Alerts() {
  const { api, session } = useSignedIn();
  const notices = usePages((cursor) => api.notifications.list.query({ limit: PAGE, cursor }), [api]);
  const { busy, problem, act } = useAction();
  const { items } = notices;
  const failed = problem ?? notices.more.problem;
  const replaceable = (n: Notification) => n.kind === 'key_revoked' || n.kind === 'key_expired';
  // The server says per team whether the user may generate there.
  const mayGenerate = (teamId: string) => session.teams.find((t) => t.teamId === teamId)?.canGenerate === true;

  const markRead = async (ids: string[] | 'all') => {
    const done = await act(() => api.notifications.markRead.mutate(ids === 'all' ? { all: true } : { ids }));
    if (done) {
      await notices.reload();
      await requestAlertsRefresh();
    }
  };
  const openDashboard = async (n: Notification, url = browser.runtime.getURL('/dashboard.html')) => {
    await updateSettings({ teamId: n.teamId });
    await browser.tabs.create({ url });
  };

  return (
    <section class="section" aria-labelledby="alerts-heading">
      <h2 id="alerts-heading">Alerts</h2>
      <AsyncStatus state={notices} loading="Loading alerts…" />
      {notices.data ? (
        <NoticeList
          items={items}
          busy={busy || notices.more.busy}
          visible={VISIBLE}
          hasOlder={notices.hasMore}
          onLoadOlder={() => void notices.loadMore()}
          onMarkRead={(ids) => void markRead(ids)}
          canReplace={(n) => replaceable(n) && mayGenerate(n.teamId)}
          onReplace={(n) => void openDashboard(n, generateInDashboardUrl(n.keys.length === 1 ? n.keys[0]!.name : undefined))}
          onOpenDashboard={(n) => void openDashboard(n)}
        />
      ) : null}
      {failed ? <ProblemBox problem={failed} /> : null}
    </section>
  );
}

