import type { Problem } from '../lib/errors';
import { Loading } from './Loading';
import { ProblemBox } from './ProblemBox';

/** What useAsync and usePages report: enough to say "loading" or "failed, try again". */
export interface LoadState {
  status: 'loading' | 'ok' | 'error';
  problem: Problem | null;
  data: unknown;
  reload(): unknown;
}

/**
 * A section's request while it is out or after it failed: the spinner until the first answer
 * (later reloads keep the data on screen), and the problem with "Try again". Nothing otherwise.
 */
export function AsyncStatus({ state, loading }: { state: LoadState; loading?: string }) {
  if (state.status === 'error' && state.problem) return <ProblemBox problem={state.problem} onRetry={() => void state.reload()} />;
  if (state.status === 'loading' && state.data === undefined) return <Loading label={loading} />;
  return null;
}

/** "Load more" under a long list, with the problem of the last try. */
export function LoadMore({ hasMore, busy, problem, onLoad, label = 'Load more' }: { hasMore: boolean; busy: boolean; problem: Problem | null; onLoad(): void; label?: string }) {
  return (
    <>
      {problem ? <ProblemBox problem={problem} /> : null}
      {hasMore ? (
        <button type="button" class="btn load-more" disabled={busy} onClick={onLoad}>
          {busy ? 'Loading…' : label}
        </button>
      ) : null}
    </>
  );
}
