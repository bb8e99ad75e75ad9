import type { KeyRow } from '../../shared/schemas/key';
import { shownLeakUrl, type LeakSource } from '../../shared/schemas/leak';
import { formatDateTime, relative } from '../lib/format';

const SOURCES: Record<LeakSource, string> = { github: 'GitHub secret scanning', public_report: 'a public report', extension: 'the leak guard' };

/** " at <url>" for a url that passes today's rule (an earlier version kept reported urls as sent), else nothing. */
const at = (url: unknown) => {
  const shown = shownLeakUrl(url);
  return shown ? ` at ${shown}` : '';
};

/**
 * A row's CANARY tag (only admins list a team's keys, so only they see it) with
 * when and from where it last fired, and
 * its leak record: "leaked · GitHub secret scanning, 2 hours ago", with every
 * report (where, when, what was done) in the tooltip.
 */
export function LeakNote({ row, now }: { row: Pick<KeyRow, 'canary' | 'canaryFired' | 'leaks'>; now: number }) {
  const leaks = row.leaks ?? [];
  const latest = leaks[0];
  return (
    <>
      {row.canary ? (
        <span class="tag tag-canary" title="A canary: a trap key that never works. Its use alerts every admin.">
          CANARY
        </span>
      ) : null}
      {row.canaryFired ? (
        <span class="leak-note" title={`Last used ${formatDateTime(row.canaryFired.at)} from ${row.canaryFired.ip ?? 'an unknown address'}`}>
          {' '}
          fired {relative(row.canaryFired.at, now)} from {row.canaryFired.ip ?? 'an unknown address'}
        </span>
      ) : null}
      {latest ? (
        <span class="leak-note" title={leaks.map((l) => `${formatDateTime(l.at)}: ${SOURCES[l.source]}${at(l.url)} (${l.action})`).join('\n')}>
          {' '}
          leaked · {SOURCES[latest.source]}, {relative(latest.at, now)}
        </span>
      ) : null}
    </>
  );
}

type AuditLike = { action: string; details: Record<string, unknown> | null };

/** In a key's history: where a leak was found and what was done about it. */
export function LeakDetail({ entry }: { entry: AuditLike }) {
  if (entry.action !== 'key.leaked' || !entry.details) return null;
  const source = SOURCES[entry.details.source as LeakSource] ?? String(entry.details.source);
  return (
    <span class="muted">
      {' '}
      — found by {source}
      {at(entry.details.url)}; {String(entry.details.action ?? 'none')}
    </span>
  );
}
