import type { Collections } from './collections';
import { insertOnce } from './insert-once';
import type { CanaryAlarmDoc, CanarySource } from './canary-docs';

export type { CanaryAlarmDoc, CanarySource };

export type CanaryAlarm = Omit<CanaryAlarmDoc, '_id' | 'addresses' | 'listed'>;

const addressOf = (s: CanarySource) => s.ip ?? '-';

export function canaryAlarmsRepo(cols: Collections) {
  return {
    /** The hour's alarm, opened by its first use; false when it is already open. */
    open: (id: string, alarm: { teamId: string; keyId: string; hourStart: Date; first: CanarySource }): Promise<boolean> =>
      insertOnce(cols.canaryAlarms, id, {
        teamId: alarm.teamId,
        keyId: alarm.keyId,
        hourStart: alarm.hourStart,
        sources: [alarm.first],
        addresses: [addressOf(alarm.first)],
        listed: 1,
        more: 0,
        alertedAt: null,
      }),

    /**
     * Adds a use to an open alarm: listed when its address is new and fewer than `limit` are
     * listed (true), else counted in `more` when the address is not listed. Each is one
     * conditional update, so racing uses never list more than `limit`.
     */
    async addSource(id: string, source: CanarySource, limit: number): Promise<boolean> {
      const address = addressOf(source);
      const listed = await cols.canaryAlarms.updateOne(
        { _id: id, addresses: { $ne: address }, listed: { $lt: limit } },
        { $push: { sources: source, addresses: address }, $inc: { listed: 1 } },
      );
      if (listed.modifiedCount === 1) return true;
      await cols.canaryAlarms.updateOne({ _id: id, addresses: { $ne: address } }, { $inc: { more: 1 } });
      return false;
    },

    async find(id: string): Promise<CanaryAlarm | null> {
      const doc = await cols.canaryAlarms.findOne({ _id: id }, { projection: { _id: 0, addresses: 0, listed: 0 } });
      // An upserted null may come back absent on FerretDB (see README).
      return doc ? { ...(doc as CanaryAlarm), alertedAt: doc.alertedAt ?? null } : null;
    },

    async markAlerted(id: string, at: Date): Promise<void> {
      await cols.canaryAlarms.updateOne({ _id: id }, { $set: { alertedAt: at } });
    },
  };
}
export type CanaryAlarmsRepo = ReturnType<typeof canaryAlarmsRepo>;
