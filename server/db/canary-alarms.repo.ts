import type { Collections } from './collections';
import { insertOnce } from './insert-once';

/** One use of a canary from one address. */
export interface CanarySource {
  ip: string | null;
  userAgent: string | null;
  at: Date;
}

/**
 * The alarm of one canary in one hour (`_id` `<keyId>:<hour>`): inserted once by the first use,
 * which is what decides that the hour's alarm goes out; later uses from other addresses are
 * added to `sources` up to a bound, then only counted in `more`.
 */
export interface CanaryAlarmDoc {
  _id: string;
  teamId: string;
  keyId: string;
  hourStart: Date;
  sources: CanarySource[];
  /** The addresses in `sources` (`-` for none) and their number, so one filter recognises a repeat and the bound. */
  addresses: string[];
  listed: number;
  /** Uses in the hour from addresses past the listed ones. */
  more: number;
  /** When the alarm (notices, emails) was written; null while the first use is still sending it. */
  alertedAt: Date | null;
}

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
