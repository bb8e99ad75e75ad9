import { MongoBulkWriteError, MongoServerError, type Collection, type Document, type Filter, type UpdateFilter } from 'mongodb';

/**
 * The one insert-once primitive. FerretDB v1 has no transactions and no atomic conditional
 * update, but a unique `_id` holds on every engine: so "this happened once" (a notice, an email,
 * an audit record, an invitation round, a mark) is a document whose `_id` is derived from what
 * caused it, written with an upsert that only ever inserts. See server/db/README.md.
 *
 * Returns whether this call created the document. Two writers racing on a new `_id`: the loser
 * gets a unique-key error (code 11000 on MongoDB, a generic error on FerretDB), so the
 * document's existence, not the error, decides.
 */
export async function insertOnce<T extends Document & { _id: string }>(col: Collection<T>, _id: string, fields: Omit<T, '_id'>): Promise<boolean> {
  try {
    const res = await col.updateOne({ _id } as Filter<T>, { $setOnInsert: fields } as UpdateFilter<T>, { upsert: true });
    return res.upsertedCount === 1;
  } catch (err) {
    if (await col.countDocuments({ _id } as Filter<T>, { limit: 1 })) return false;
    throw err;
  }
}

/** A failed insert that only hit existing `_id`s: another writer (or an earlier attempt of this one) got there first. */
export function onlyDuplicates(err: unknown): boolean {
  if (err instanceof MongoBulkWriteError) {
    const errors = Array.isArray(err.writeErrors) ? err.writeErrors : [err.writeErrors];
    return errors.length > 0 && errors.every((e) => e.code === 11000);
  }
  return err instanceof MongoServerError && err.code === 11000;
}
