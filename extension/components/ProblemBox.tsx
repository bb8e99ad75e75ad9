import { browser } from 'wxt/browser';
import { retryAllConnectionProblems, useConnectionSlot } from '../hooks/use-connection-problem';
import { isConnectionProblem, type Problem } from '../lib/errors';

const TITLES: Record<Problem['kind'], string> = {
  offline: 'Server unreachable',
  not_keywarden: 'Not a Keywarden server',
  unauthorized: 'Session expired',
  wrong_code: 'Wrong code',
  forbidden: 'Admins only',
  not_found: 'Not found',
  invalid: 'Please check your input',
  conflict: 'Nothing was changed',
  rate_limited: 'Too many requests',
  unavailable: 'Server temporarily unavailable',
  unknown: 'Something went wrong',
};

/**
 * One look for every error; "Try again" where retrying can help. A problem
 * reaching the server is shown once per page, however many sections hit it.
 */
export function ProblemBox({ problem, onRetry }: { problem: Problem; onRetry?: () => void }) {
  const shared = isConnectionProblem(problem);
  const slot = useConnectionSlot(shared, problem.serverUrl, onRetry);
  if (shared && !slot.first) return null;
  const retryable = problem.kind === 'offline' || problem.kind === 'unavailable' || problem.kind === 'unknown' || problem.kind === 'rate_limited';
  const retry = shared ? (slot.anyRetry ? retryAllConnectionProblems : undefined) : onRetry;
  return (
    <div class={`problem problem-${problem.kind}`} role="alert">
      <strong>{TITLES[problem.kind]}</strong>
      <span>{problem.message}</span>
      {retry && retryable ? (
        <button type="button" class="btn btn-small" onClick={retry}>
          Try again
        </button>
      ) : null}
      {problem.kind === 'not_keywarden' && location.pathname !== '/options.html' ? (
        <button type="button" class="btn btn-small" onClick={() => void browser.runtime.openOptionsPage()}>
          Check the server URL
        </button>
      ) : null}
    </div>
  );
}
