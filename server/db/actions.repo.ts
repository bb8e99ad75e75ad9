import type { DisabledReason, RevokedReason } from '../../shared/schemas/key';
import type { KeyAction } from './action-docs';
import type { ActionDoc, Collections } from './collections';

export type { KeyAction, KeyActionKind } from './action-docs';

export type ActionRecord = Omit<ActionDoc, '_id' | 'action' | 'kind' | 'reason' | 'keyIds' | 'details'> & { id: string; action: KeyAction };

/** A document written before actions were typed, read as the action it meant. */
function legacyAction(doc: ActionDoc): KeyAction {
  const ids = doc.keyIds ?? [];
  switch (doc.kind) {
    case 'policy':
      return { kind: 'policy', maxLifetimeDays: Number(doc.details?.maxLifetimeDays) };
    case 'enable':
      return { kind: 'enable', keyIds: ids };
    case 'disable':
      return doc.keyIds === null && doc.details?.ownerId ? { kind: 'owner_removed', ownerId: String(doc.details.ownerId) } : { kind: 'disable', keyIds: ids, reason: doc.reason as DisabledReason };
    default:
      return doc.keyIds === null ? { kind: 'revoke_all' } : { kind: 'revoke', keyIds: ids, reason: doc.reason as RevokedReason };
  }
}

function toRecord(doc: ActionDoc): ActionRecord {
  const { _id, action, kind: _k, reason: _r, keyIds: _i, details: _d, ...rest } = doc;
  return { id: _id, ...rest, action: action ?? legacyAction(doc) };
}

/** Bulk actions are written before they are applied, so none is ever half-done silently. */
export function actionsRepo(cols: Collections) {
  return {
    async insert(record: ActionRecord): Promise<void> {
      const { id, ...rest } = record;
      await cols.actions.insertOne({ _id: id, ...rest });
    },
    async find(id: string): Promise<ActionRecord | null> {
      const doc = await cols.actions.findOne({ _id: id });
      return doc ? toRecord(doc) : null;
    },
    async complete(id: string, result: Record<string, unknown>, at: Date): Promise<void> {
      await cols.actions.updateOne({ _id: id, state: 'pending' }, { $set: { state: 'done', result, completedAt: at } });
    },
    /** Records how far a running action got; a done action keeps its last figures. */
    async progress(id: string, done: number, total: number): Promise<void> {
      await cols.actions.updateOne({ _id: id, state: 'pending' }, { $set: { progress: { done, total } } });
    },
    /** The team's actions still running that report progress, oldest first. */
    async listRunning(teamId: string): Promise<ActionRecord[]> {
      const docs = await cols.actions.find({ teamId, state: 'pending', progress: { $type: 'object' } }).sort({ createdAt: 1 }).limit(20).toArray();
      return docs.map(toRecord);
    },
    async listPending(olderThan: Date, limit: number): Promise<ActionRecord[]> {
      const docs = await cols.actions.find({ state: 'pending', createdAt: { $lte: olderThan } }).sort({ createdAt: 1 }).limit(limit).toArray();
      return docs.map(toRecord);
    },
  };
}
export type ActionsRepo = ReturnType<typeof actionsRepo>;
