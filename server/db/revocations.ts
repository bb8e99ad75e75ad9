import type { Filter } from 'mongodb';
import type { RevokedReason } from '../../shared/schemas/key';
import type { Collections, KeyDoc, RevocationDoc } from './collections';
import { onlyDuplicates } from './insert-once';

export type Revocation = { reason: RevokedReason; by: string | null; at: Date; actionId: string };

export const revokedFields = (r: Revocation) => ({ status: 'revoked' as const, revokedReason: r.reason, revokedAt: r.at, revokedBy: r.by, actionId: r.actionId });

/** Per-key writes run this many at a time: fast enough, gentle on the pool. */
const WRITE_BATCH = 20;

export async function inBatches<T>(items: T[], write: (item: T) => Promise<unknown>): Promise<void> {
  for (let i = 0; i < items.length; i += WRITE_BATCH) await Promise.all(items.slice(i, i + WRITE_BATCH).map(write));
}


/**
 * Why revocation stays final on FerretDB v1: it has no transactions and no
 * atomic conditional update, and an update rewrites the whole document from
 * what it read. So a disable, enable, policy cap or last-used write that read a
 * key just before a revocation landed can write the old status back. Against
 * that, every revocation first inserts the key's record in `revocations`
 * (`_id` = key hash: only one insert can win), every other write to a key
 * re-asserts any record after its own write (a clobbering write always lands
 * after the record exists, so its check sees it), and verify reads the record
 * with the key. On MongoDB the same steps are merely redundant.
 */
export function revocationRecords(cols: Collections) {
  /** Inserts each key's revocation record; returns the hashes whose record is this action's. */
  async function claimRevocations(teamId: string, keys: { _id: string; id: string }[], r: Revocation): Promise<string[]> {
    if (keys.length === 0) return [];
    const records: RevocationDoc[] = keys.map((k) => ({ _id: k._id, keyId: k.id, teamId, actionId: r.actionId, reason: r.reason, at: r.at, by: r.by }));
    try {
      await cols.revocations.insertMany(records, { ordered: false });
    } catch (err) {
      if (!onlyDuplicates(err)) throw err;
    }
    const wanted = new Set(keys.map((k) => k._id));
    const mine = await cols.revocations.find({ teamId, actionId: r.actionId }, { projection: { _id: 1 } }).toArray();
    return mine.map((d) => d._id).filter((h) => wanted.has(h));
  }

  /** The revocation records of these keys, by hash. */
  async function revocationsOf(hashes: string[]): Promise<Map<string, RevocationDoc>> {
    if (hashes.length === 0) return new Map();
    // A single key (the last-used write) is an `_id` look-up, which FerretDB serves from its index.
    const docs = hashes.length === 1 ? await cols.revocations.find({ _id: hashes[0]! }).toArray() : await cols.revocations.find({ _id: { $in: hashes } }).toArray();
    return new Map(docs.map((d) => [d._id, d]));
  }

  /** Writes a revoked key's record back over whatever a racing write left. Returns how many needed it. */
  async function reassertRevocations(hashes: string[]): Promise<number> {
    const records = await revocationsOf(hashes);
    let repaired = 0;
    await inBatches([...records.values()], async (r) => {
      const res = await cols.keys.updateOne(
        { _id: r._id, $or: [{ status: { $ne: 'revoked' } }, { actionId: { $ne: r.actionId } }] },
        { $set: revokedFields(r) },
      );
      repaired += res.modifiedCount;
    });
    return repaired;
  }

  /** A non-revoking write to the keys matching `filter`, then the re-assertion of any revocation it may have overwritten. */
  async function writeThenReassert(filter: Filter<KeyDoc>, set: Partial<KeyDoc>): Promise<void> {
    const targets = (await cols.keys.find(filter, { projection: { _id: 1 } }).toArray()).map((d) => d._id);
    if (targets.length === 0) return;
    await cols.keys.updateMany({ ...filter, _id: { $in: targets } }, { $set: set });
    await reassertRevocations(targets);
  }

  return { claimRevocations, revocationsOf, reassertRevocations, writeThenReassert };
}
