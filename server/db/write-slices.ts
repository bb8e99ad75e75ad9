import type { AnyBulkWriteOperation, Collection, Document } from 'mongodb';

/**
 * Statements per bulk write command. FerretDB v1 keeps every statement's cursor of one `update`
 * command open until the command ends: at about 100 statements its SQLite pool (100 connections)
 * runs dry and the command never ends — and with atomic writes it holds every write behind it.
 * 50 stays well clear of that and costs MongoDB nothing noticeable.
 */
export const STATEMENTS_PER_COMMAND = 50;

/** A bulk write sent as commands of at most STATEMENTS_PER_COMMAND statements each. */
export async function inSlices<T extends Document>(col: Collection<T>, ops: AnyBulkWriteOperation<T>[]): Promise<void> {
  for (let i = 0; i < ops.length; i += STATEMENTS_PER_COMMAND) await col.bulkWrite(ops.slice(i, i + STATEMENTS_PER_COMMAND), { ordered: false });
}
