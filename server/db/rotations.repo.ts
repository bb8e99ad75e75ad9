import type { Collections, RotationDoc } from './collections';
import { insertOnce } from './insert-once';

export type Rotation = Omit<RotationDoc, '_id'>;

const toRotation = ({ _id, ...rest }: RotationDoc): Rotation => rest;

/**
 * Rotations (see RotationDoc). The record is keyed by the previous key's hash,
 * so verify reads it by `_id` next to the key, and a second rotation of the
 * same key loses the insert. The hash never leaves this repo except as the
 * opaque `ref` the service hands back.
 */
export function rotationsRepo(cols: Collections) {
  return {
    /** The previous key's storage id (its hash), to key the record by. */
    async refOf(teamId: string, keyId: string): Promise<string | null> {
      const doc = await cols.keys.findOne({ id: keyId, teamId }, { projection: { _id: 1 } });
      return doc?._id ?? null;
    },

    /** Verify's look-up: the grace of a previous key, if it is one. */
    async findForVerify(ref: string): Promise<Pick<Rotation, 'replacedBy' | 'graceEndsAt'> | null> {
      return cols.rotations.findOne({ _id: ref }, { projection: { _id: 0, replacedBy: 1, graceEndsAt: 1 } });
    },

    async findByRef(ref: string): Promise<Rotation | null> {
      const doc = await cols.rotations.findOne({ _id: ref });
      return doc ? toRotation(doc) : null;
    },

    /** Inserts once; false when the key already has a rotation. */
    insert: (ref: string, rotation: Rotation): Promise<boolean> => insertOnce(cols.rotations, ref, rotation),

    /** Removes a key nobody ever saw (a rotation that lost its race): its plaintext was never handed out. */
    async deleteUnissuedKey(teamId: string, keyId: string): Promise<void> {
      await cols.keys.deleteOne({ id: keyId, teamId });
    },

    /** The rotations a page of keys takes part in, as previous or as new key. */
    async ofKeys(teamId: string, keyIds: string[]): Promise<Rotation[]> {
      if (keyIds.length === 0) return [];
      const docs = await cols.rotations.find({ teamId, $or: [{ keyId: { $in: keyIds } }, { replacedBy: { $in: keyIds } }] }).toArray();
      return docs.map(toRotation);
    },

    /** Rotations whose grace has ended and whose previous key the pass has not revoked yet. */
    async graceEnded(now: Date, limit: number): Promise<(Rotation & { ref: string })[]> {
      const docs = await cols.rotations.find({ state: 'grace', graceEndsAt: { $lte: now } }).sort({ graceEndsAt: 1 }).limit(limit).toArray();
      return docs.map((d) => ({ ...toRotation(d), ref: d._id }));
    },

    /** Rotations in their last `windowMs` of grace. */
    async graceEndingBefore(now: Date, until: Date): Promise<(Rotation & { ref: string })[]> {
      const docs = await cols.rotations.find({ state: 'grace', graceEndsAt: { $gt: now, $lte: until } }).toArray();
      return docs.map((d) => ({ ...toRotation(d), ref: d._id }));
    },

    async markDone(ref: string): Promise<void> {
      await cols.rotations.updateOne({ _id: ref }, { $set: { state: 'done' } });
    },
  };
}
export type RotationsRepo = ReturnType<typeof rotationsRepo>;
