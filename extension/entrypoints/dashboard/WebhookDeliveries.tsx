import { AsyncStatus, LoadMore } from '../../components/AsyncStatus';
import { useSignedIn } from '../../hooks/session-context';
import { usePages } from '../../hooks/use-pages';
import { formatDateTime } from '../../lib/format';

type Page = Awaited<ReturnType<ReturnType<typeof useSignedIn>['api']['webhooks']['deliveries']['query']>>;
type Delivery = Page['items'][number];

const OUTCOME_LABELS: Record<Delivery['outcome'], string> = { delivered: 'Delivered', retrying: 'Will retry', failed: 'Failed' };

/** Recent delivery attempts of one endpoint, newest first: event, answer, time taken, error, next retry. */
export function WebhookDeliveries({ teamId, endpointId }: { teamId: string; endpointId: string }) {
  const { api } = useSignedIn();
  const deliveries = usePages((cursor) => api.webhooks.deliveries.query({ teamId, endpointId, cursor }), [api, teamId, endpointId]);
  const { items } = deliveries;

  return (
    <div class="card webhook-deliveries">
      <div class="row">
        <h4 class="grow">Recent deliveries</h4>
        <button type="button" class="btn btn-small" onClick={() => void deliveries.reload()}>
          Refresh
        </button>
      </div>
      <AsyncStatus state={deliveries} loading="Loading deliveries…" />
      {deliveries.data && items.length === 0 ? <p class="empty">No deliveries yet. "Send test" sends a ping.</p> : null}
      {items.length > 0 ? (
        <table class="compact">
          <caption class="sr-only">Delivery attempts</caption>
          <thead>
            <tr>
              <th scope="col">When</th>
              <th scope="col">Event</th>
              <th scope="col">Attempt</th>
              <th scope="col">Result</th>
              <th scope="col">Status</th>
              <th scope="col">Took</th>
              <th scope="col">Error</th>
              <th scope="col">Next retry</th>
            </tr>
          </thead>
          <tbody>
            {items.map((d) => (
              <tr key={d.id}>
                <td>{formatDateTime(d.at)}</td>
                <td class="mono">{d.event}</td>
                <td>{d.attempt}</td>
                <td>{OUTCOME_LABELS[d.outcome]}</td>
                <td>{d.statusCode ?? '—'}</td>
                <td>{d.durationMs} ms</td>
                <td>{d.error ?? '—'}</td>
                <td>{formatDateTime(d.nextRetryAt)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : null}
      <LoadMore hasMore={deliveries.hasMore} busy={deliveries.more.busy} problem={deliveries.more.problem} onLoad={() => void deliveries.loadMore()} />
    </div>
  );
}
