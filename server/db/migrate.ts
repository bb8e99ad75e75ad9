import type { AnyBulkWriteOperation, Collection, Db, Document } from 'mongodb';
import type { RevokedReason } from '../../shared/schemas/key';
import type { Collections, KeyRotation } from './collections';

/**
 * Data written by earlier versions, brought into today's shapes when the database opens
 * (storage.ts). One function per legacy shape. Each one is idempotent and safe while another
 * instance runs it at the same moment: it only makes conditional writes whose filter says the
 * document still needs them, and removes a legacy shape only after folding everything it read
 * (today's code never writes these shapes, so nothing can appear after that read).
 */
type Migration = (db: Db, cols: Collections) => Promise<void>;

/** Writes per bulk command: small enough to keep each command short. */
const BATCH = 500;

async function exists(db: Db, name: string): Promise<boolean> {
  return (await db.listCollections({ name }, { nameOnly: true }).toArray()).length > 0;
}

async function inBulk<T extends Document>(col: Collection<T>, ops: AnyBulkWriteOperation<T>[]): Promise<void> {
  for (let i = 0; i < ops.length; i += BATCH) await col.bulkWrite(ops.slice(i, i + BATCH), { ordered: false });
}

/** Drops a folded legacy collection; another instance may have dropped it first. */
async function drop(db: Db, name: string): Promise<void> {
  await db.dropCollection(name).catch(async (err) => {
    if (await exists(db, name)) throw err;
  });
}

/**
 * `revocations/{keyHash}`: the record was the authority on a key's revocation (a racing write
 * could leave the key document looking alive), so its when, who and why are written over the key
 * wherever the key does not already say exactly that.
 */
export const foldRevocations: Migration = async (db, cols) => {
  if (!(await exists(db, 'revocations'))) return;
  type Legacy = { _id: string; actionId: string; reason: RevokedReason; at: Date; by: string | null };
  const records = await db.collection<Legacy>('revocations').find({}).toArray();
  await inBulk(
    cols.keys,
    records.map((r) => ({
      updateOne: {
        filter: { _id: r._id, $or: [{ status: { $ne: 'revoked' } }, { actionId: { $ne: r.actionId } }] },
        update: { $set: { status: 'revoked' as const, revokedReason: r.reason, revokedAt: r.at, revokedBy: r.by, actionId: r.actionId } },
      },
    })),
  );
  await drop(db, 'revocations');
};

/** `rotations/{keyHash}`: the rotation becomes the previous key's `rotation` field, and the new key names the key it replaced. */
export const foldRotations: Migration = async (db, cols) => {
  if (!(await exists(db, 'rotations'))) return;
  const records = await db.collection<KeyRotation & { _id: string; teamId: string; keyId: string }>('rotations').find({}).toArray();
  await inBulk(
    cols.keys,
    records.flatMap(({ _id, teamId, keyId, replacedBy, graceEndsAt, at, by, state }) => [
      { updateOne: { filter: { _id, rotation: null }, update: { $set: { rotation: { replacedBy, graceEndsAt, at, by, state } } } } },
      { updateOne: { filter: { teamId, id: replacedBy, replaces: null }, update: { $set: { replaces: keyId } } } },
    ]),
  );
  await drop(db, 'rotations');
};

/**
 * `key_request_claims`: a decision's claim whose request still reads pending never reached the
 * request (its admin was told it failed), so the request stays pending. A use's claim whose request
 * has no key consumed the grant before the key was written: the grant ends at that claim.
 */
export const foldRequestClaims: Migration = async (db, cols) => {
  if (!(await exists(db, 'key_request_claims'))) return;
  const uses = await db.collection<{ _id: string; at: Date }>('key_request_claims').find({ _id: { $regex: '^use:' } }).toArray();
  await inBulk(
    cols.keyRequests,
    uses.map((u) => ({
      updateOne: { filter: { _id: u._id.slice('use:'.length), keyId: null, grantExpiresAt: { $gt: u.at } }, update: { $set: { grantExpiresAt: u.at } } },
    })),
  );
  await drop(db, 'key_request_claims');
};

/** `leaks/first:{keyId}`: the first report's claim and its `handledAt` become the key's `leak`. */
export const foldLeakFirsts: Migration = async (_db, cols) => {
  const firsts = await cols.leaks.find({ kind: 'first' }).toArray();
  if (firsts.length === 0) return;
  await inBulk(
    cols.keys,
    firsts.map((f) => ({
      updateOne: { filter: { teamId: f.teamId, id: f.keyId, leak: null }, update: { $set: { leak: { firstAt: f.at, handledAt: f.handledAt ?? null } } } },
    })),
  );
  await cols.leaks.deleteMany({ kind: 'first' });
};

/** In order; a new legacy shape adds its function here. */
export const MIGRATIONS: Migration[] = [foldRevocations, foldRotations, foldRequestClaims, foldLeakFirsts];

export async function migrate(db: Db, cols: Collections): Promise<void> {
  for (const step of MIGRATIONS) await step(db, cols);
}
