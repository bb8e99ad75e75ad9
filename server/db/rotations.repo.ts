import type { Filter } from 'mongodb';
import type { Collections, KeyDoc, KeyRotation } from './collections';

/** A rotation as the service sees it: the previous key's team, id and owner with the key's `rotation` field. */
export type Rotation = KeyRotation & { teamId: string; keyId: string; ownerId: string };

type RotatedKey = Pick<KeyDoc, '_id' | 'teamId' | 'id' | 'ownerId' | 'rotation'>;
const FIELDS = { _id: 1, teamId: 1, id: 1, ownerId: 1, rotation: 1 } as const;

const toRotation = (d: RotatedKey): Rotation & { ref: string } => ({ ...d.rotation!, teamId: d.teamId, keyId: d.id, ownerId: d.ownerId, ref: d._id });

const rotated: Filter<KeyDoc> = { rotation: { $ne: null } };

/**
 * Rotations live on the previous key (`KeyDoc.rotation`): verify reads the
 * grace with the key, and a second rotation of the same key finds the field
 * set and changes nothing. The key's hash never leaves this repo except as the
 * opaque `ref` the service hands back.
 */
export function rotationsRepo(cols: Collections) {
  return {
    /** The previous key's storage id (its hash). */
    async refOf(teamId: string, keyId: string): Promise<string | null> {
      const doc = await cols.keys.findOne({ id: keyId, teamId }, { projection: { _id: 1 } });
      return doc?._id ?? null;
    },

    async findByRef(ref: string): Promise<Rotation | null> {
      const doc = await cols.keys.findOne({ _id: ref, ...rotated }, { projection: FIELDS });
      if (!doc) return null;
      const { ref: _ref, ...rotation } = toRotation(doc);
      return rotation;
    },

    /** Marks the key rotated, once: false when it already has a rotation. */
    async begin(ref: string, r: Rotation): Promise<boolean> {
      const rotation: KeyRotation = { replacedBy: r.replacedBy, graceEndsAt: r.graceEndsAt, at: r.at, by: r.by, state: r.state };
      const res = await cols.keys.updateOne({ _id: ref, teamId: r.teamId, rotation: null }, { $set: { rotation } });
      return res.modifiedCount === 1;
    },

    /** Removes a key nobody ever saw (a rotation that lost its race): its plaintext was never handed out. */
    async deleteUnissuedKey(teamId: string, keyId: string): Promise<void> {
      await cols.keys.deleteOne({ id: keyId, teamId });
    },

    /** Rotations whose grace has ended and whose previous key the pass has not revoked yet. */
    async graceEnded(now: Date, limit: number): Promise<(Rotation & { ref: string })[]> {
      const docs = await cols.keys
        .find({ 'rotation.state': 'grace', 'rotation.graceEndsAt': { $lte: now } }, { projection: FIELDS })
        .sort({ 'rotation.graceEndsAt': 1 })
        .limit(limit)
        .toArray();
      return docs.map(toRotation);
    },

    /** Rotations in their last `windowMs` of grace. */
    async graceEndingBefore(now: Date, until: Date): Promise<(Rotation & { ref: string })[]> {
      const docs = await cols.keys.find({ 'rotation.state': 'grace', 'rotation.graceEndsAt': { $gt: now, $lte: until } }, { projection: FIELDS }).toArray();
      return docs.map(toRotation);
    },

    async markDone(ref: string): Promise<void> {
      await cols.keys.updateOne({ _id: ref, 'rotation.state': 'grace' }, { $set: { 'rotation.state': 'done' } });
    },
  };
}
export type RotationsRepo = ReturnType<typeof rotationsRepo>;
