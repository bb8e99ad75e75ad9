import type { KeysRepo } from '../db/keys.repo';
import type { Deps } from '../deps';
import { sha256 } from '../lib/ids';
import type { AuditService } from './audit.service';
import type { LeakAlerts } from './leak-alerts';
import type { UseSource } from './usage-recorder';

const HOUR_MS = 60 * 60_000;

/**
 * Canary keys: keys nobody should ever use. Verify answers NOT_FOUND for one,
 * exactly as for an unknown key, and hands the use here: an audit record
 * (`canary.triggered`) and a `canary_triggered` alert to every admin, with the
 * time, source address and user agent. One alert per canary, hour and source
 * address: a script hammering the canary raises one alarm, not thousands of emails.
 */
export function canaryService(deps: Deps, repos: { keys: KeysRepo }, audit: AuditService, alerts: LeakAlerts) {
  let pending = 0;

  async function raise(key: { id: string; teamId: string }, source: UseSource, at: Date): Promise<void> {
    const stored = await repos.keys.findByPublicId(key.teamId, key.id);
    if (!stored) return;
    const bucket = `${Math.floor(at.getTime() / HOUR_MS)}:${sha256(source.ip ?? '-').slice(0, 16)}`;
    await audit.record({
      id: `aud_canary_${sha256(`${key.id}:${bucket}`).slice(0, 32)}`,
      teamId: key.teamId,
      action: 'canary.triggered',
      actor: { userId: null, email: null, role: null, ip: source.ip, userAgent: source.userAgent },
      targetIds: [key.id],
      details: { keyId: key.id, name: stored.name, ip: source.ip, userAgent: source.userAgent, at },
      at,
    });
    await alerts.canaryTriggered(stored, { ip: source.ip, userAgent: source.userAgent, at, bucket });
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
