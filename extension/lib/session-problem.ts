import { describeError, type Problem } from './errors';
import { endSession } from './storage';

/**
 * The one place a failed request becomes a Problem. A 401 means the server no
 * longer knows the session (expired, signed out elsewhere, revoked): it ends
 * the session here, and every page and the badge follow the stored change.
 */
export async function problemOf(err: unknown, serverUrl?: string): Promise<Problem> {
  const problem = describeError(err, serverUrl);
  if (problem.kind === 'unauthorized') await endSession('expired');
  return problem;
}
