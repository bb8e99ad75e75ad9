import type { ActionDoc, Collections } from './collections';

export type ActionRecord = Omit<ActionDoc, '_id'> & { id: string };

/** Bulk actions are written before they are applied, so none is ever half-done silently. */
export function actionsRepo(cols: Collections) {
  return {
    async insert(action: ActionRecord): Promise<void> {
      const { id, ...rest } = action;
      await cols.actions.insertOne({ _id: id, ...rest });
    },
    async find(id: string): Promise<ActionRecord | null> {
      const doc = await cols.actions.findOne({ _id: id });
      if (!doc) return null;
      const { _id, ...rest } = doc;
      return { id: _id, ...rest };
    },
    async complete(id: string, result: Record<string, unknown>, at: Date): Promise<void> {
      await cols.actions.updateOne({ _id: id, state: 'pending' }, { $set: { state: 'done', result, completedAt: at } });
    },
    async listPending(olderThan: Date, limit: number): Promise<ActionRecord[]> {
      const docs = await cols.actions.find({ state: 'pending', createdAt: { $lte: olderThan } }).sort({ createdAt: 1 }).limit(limit).toArray();
      return docs.map(({ _id, ...rest }) => ({ id: _id, ...rest }));
    },
  };
}
export type ActionsRepo = ReturnType<typeof actionsRepo>;
