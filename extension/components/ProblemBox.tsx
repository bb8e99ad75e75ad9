import type { Problem } from '../lib/errors';

const TITLES: Record<Problem['kind'], string> = {
  offline: 'Server unreachable',
  unauthorized: 'Session expired',
  forbidden: 'Admins only',
  not_found: 'Not found',
  invalid: 'Please check your input',
  rate_limited: 'Too many requests',
  unavailable: 'Server temporarily unavailable',
  unknown: 'Something went wrong',
};

/** One look for every error; "Try again" where retrying can help. */
export function ProblemBox({ problem, onRetry }: { problem: Problem; onRetry?: () => void }) {
  const retryable = problem.kind === 'offline' || problem.kind === 'unavailable' || problem.kind === 'unknown' || problem.kind === 'rate_limited';
  return (
    <div class={`problem problem-${problem.kind}`} role="alert">
      <strong>{TITLES[problem.kind]}</strong>
      <span>{problem.message}</span>
      {onRetry && retryable ? (
        <button type="button" class="btn btn-small" onClick={onRetry}>
          Try again
        </button>
      ) : null}
    </div>
  );
}
