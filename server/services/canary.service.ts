import type { CanaryAlarmsRepo, CanarySource } from '../db/canary-alarms.repo';
import type { KeysRepo } from '../db/keys.repo';
import type { Deps } from '../deps';
import { sha256 } from '../lib/ids';
import { HOUR_MS, MINUTE_MS } from '../../shared/time';
import type { AuditService } from './audit.service';
import type { LeakAlerts } from './leak-alerts';
import type { UseSource } from './usage-recorder';

/** An alarm lists this many source addresses; uses from further ones are only counted. */
export const MAX_LISTED_SOURCES = 20;
/** An alarm still unsent this long after its first use was cut short (a crash): the next use sends it. */
const OPENER_CUT_SHORT_MS = MINUTE_MS;

/**
 * Canary keys: keys nobody should ever use. Verify answers NOT_FOUND for one,
 * exactly as for an unknown key, and hands the use here. One alarm per canary
 * and hour, however many addresses use it (a botnet or an IPv6 range would
 * otherwise send an email each): the first use of the hour opens the hour's
 * alarm record (one insert-once) and that use alone sends the `canary_triggered`
 * notice and email to every admin, listing the sources the record holds by then.
 * Later uses from new addresses are added to the record (the first 20, then a
 * count), each listed one audited as `canary.triggered`.
 */
export function canaryService(deps: Deps, repos: { keys: KeysRepo; canaryAlarms: CanaryAlarmsRepo }, audit: AuditService, alerts: LeakAlerts) {
  let pending = 0;

  async function raise(key: { id: string; teamId: string }, source: UseSource, at: Date): Promise<void> {
    const stored = await repos.keys.findByPublicId(key.teamId, key.id);
    if (!stored) return;
    const hour = Math.floor(at.getTime() / HOUR_MS);
    const alarmId = `${key.id}:${hour}`;
    const use: CanarySource = { ip: source.ip, userAgent: source.userAgent, at };
    const opened = await repos.canaryAlarms.open(alarmId, { teamId: key.teamId, keyId: key.id, hourStart: new Date(hour * HOUR_MS), first: use });
    const listed = opened || (await repos.canaryAlarms.addSource(alarmId, use, MAX_LISTED_SOURCES));
    if (listed) {
      await audit.record({
        id: `aud_canary_${sha256(`${key.id}:${hour}:${sha256(source.ip ?? '-').slice(0, 16)}`).slice(0, 32)}`,
        teamId: key.teamId,
        action: 'canary.triggered',
        actor: { userId: null, email: null, role: null, ip: source.ip, userAgent: source.userAgent },
        targetIds: [key.id],
        details: { keyId: key.id, name: stored.name, ip: source.ip, userAgent: source.userAgent, at },
        at,
      });
    }
    const alarm = await repos.canaryAlarms.find(alarmId);
    if (!alarm || alarm.alertedAt) return;
    // The opener sends the alarm; a later use sends it only when the opener was cut short (its
    // notices and emails are keyed by the alarm, so even a repeat adds nothing twice).
    const first = alarm.sources[0]?.at ?? at;
    if (!opened && at.getTime() - first.getTime() < OPENER_CUT_SHORT_MS) return;
    await alerts.canaryTriggered(stored, { sources: alarm.sources, more: alarm.more, at: first, bucket: String(hour) });
    await repos.canaryAlarms.markAlerted(alarmId, deps.now());
  }

  return {
    raise,
    /** Off the verify path: the caller's answer never waits for (or reveals) the alarm. */
    triggered(key: { id: string; teamId: string }, source: UseSource, at: Date): void {
      pending++;
      setImmediate(() => {
        raise(key, source, at)
          .catch((err) => deps.log.error(`raising the canary alarm for ${key.id} failed`, err))
          .finally(() => pending--);
      });
    },
    /** For shutdown and tests: resolves once raised alarms are written. */
    async flush(): Promise<void> {
      while (pending > 0) await new Promise((r) => setTimeout(r, 5));
    },
  };
}
export type CanaryService = ReturnType<typeof canaryService>;
