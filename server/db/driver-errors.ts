import { MongoNetworkError, MongoNotConnectedError, MongoOperationTimeoutError, MongoServerSelectionError } from 'mongodb';

/**
 * Whether a driver error means the database is away or overloaded (a 503 the caller may retry),
 * as opposed to a bug. Kept here so only server/db knows the driver's error classes.
 */
export function isDriverUnavailable(err: unknown): boolean {
  return (
    err instanceof MongoNetworkError ||
    err instanceof MongoServerSelectionError ||
    err instanceof MongoNotConnectedError ||
    err instanceof MongoOperationTimeoutError ||
    // Not exported by the driver: a full pool's wait queue and a closed pool are the database being away or overloaded.
    (err instanceof Error && (err.name === 'MongoWaitQueueTimeoutError' || err.name === 'MongoPoolClosedError')) ||
    (err instanceof Error && /ECONNREFUSED|connection .* closed|Topology is closed|pool was (cleared|closed)|checking out a connection/i.test(err.message))
  );
}
