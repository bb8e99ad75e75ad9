/**
 * Races a promise against a timer. The MongoDB driver can leave an operation
 * pending for as long as the database is away (one started while its pool is
 * being cleared ignores even `timeoutMS`), so anything a caller waits on gets a
 * deadline of ours: a request answers 503 instead of hanging.
 */
export class DeadlineExceeded extends Error {
  constructor(what: string, ms: number) {
    super(`${what} did not finish within ${ms} ms`);
  }
}

export function withDeadline<T>(promise: Promise<T>, ms: number, what = 'the operation'): Promise<T> {
  let timer: NodeJS.Timeout;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new DeadlineExceeded(what, ms)), ms);
  });
  return Promise.race([promise, deadline]).finally(() => clearTimeout(timer));
}
