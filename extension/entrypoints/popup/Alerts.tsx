import { NoticeList } from '../../components/NoticeList';
import { Loading } from '../../components/Loading';
import { ProblemBox } from '../../components/ProblemBox';
import { useAction, useAsync } from '../../hooks/use-async';
import type { Api } from '../../lib/api';
import { requestAlertsRefresh } from '../../lib/messages';

/** Newest notices across all the user's teams; marking read also repaints the badge. */
export function Alerts({ api, serverUrl }: { api: Api; serverUrl: string }) {
  const notices = useAsync(() => api.notifications.list.query({ limit: 8 }), [api], serverUrl);
  const { busy, problem, act } = useAction(serverUrl);

  const markRead = async (ids: string[] | 'all') => {
    const done = await act(() => api.notifications.markRead.mutate(ids === 'all' ? { all: true } : { ids }));
    if (done) {
      await notices.reload();
      await requestAlertsRefresh();
    }
  };

  return (
    <section class="section" aria-labelledby="alerts-heading">
      <h2 id="alerts-heading">Alerts</h2>
      {notices.status === 'error' ? <ProblemBox problem={notices.problem} onRetry={() => void notices.reload()} /> : null}
      {notices.data ? <NoticeList items={notices.data.items} busy={busy} onMarkRead={(ids) => void markRead(ids)} /> : notices.status === 'loading' ? <Loading label="Loading alerts…" /> : null}
      {problem ? <ProblemBox problem={problem} /> : null}
    </section>
  );
}
