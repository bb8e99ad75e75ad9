import type { Db } from 'mongodb';
import type { Collections } from './collections';
import { foldUsageSnapshots } from './usage.repo';

/**
 * Data written by earlier versions, brought into today's shapes when the database opens
 * (storage.ts). One function per legacy shape; each is idempotent and safe while another
 * instance runs it at the same moment.
 */
type Migration = (db: Db, cols: Collections) => Promise<void>;

/** In order; a new legacy shape adds its function here. */
export const MIGRATIONS: Migration[] = [(_db, cols) => foldUsageSnapshots(cols)];

export async function migrate(db: Db, cols: Collections): Promise<void> {
  for (const step of MIGRATIONS) await step(db, cols);
}
