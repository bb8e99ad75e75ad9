import type { RefObject } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import type { KeyRow } from '../../shared/schemas/key';
import type { KeyUsage } from '../../shared/schemas/usage';
import type { RowUsageLoader } from '../hooks/use-key-usage';
import { formatCount } from '../lib/plural';
import { bucketLabel, deniedTotal, failedTotal } from '../lib/usage';
import { Sparkline } from './Sparkline';

/**
 * A row's 7 days by day, read once the row is on screen (not for a row whose counts say there is
 * nothing to draw). Null until then, and for such rows.
 */
export function useRowUsage(row: KeyRow, load: RowUsageLoader | undefined, target: RefObject<Element | null>): KeyUsage | null {
  const [usage, setUsage] = useState<KeyUsage | null>(null);
  const needed = !!load && (row.usage.last7d > 0 || row.triedAfterRevoke > 0);
  useEffect(() => {
    if (!needed) return setUsage(null);
    let live = true;
    const start = () => load!(row).then((u) => live && setUsage(u), () => {});
    const el = target.current;
    if (!el || typeof IntersectionObserver === 'undefined') {
      void start();
      return () => void (live = false);
    }
    const seen = new IntersectionObserver((entries) => {
      if (!entries.some((e) => e.isIntersecting)) return;
      seen.disconnect();
      void start();
    });
    seen.observe(el);
    return () => {
      live = false;
      seen.disconnect();
    };
    // The row's counts decide whether its 7 days changed.
  }, [needed, load, row.id, row.usage.last24h, row.usage.last7d, row.triedAfterRevoke]);
  return usage;
}

/** The sparkline and "N in 24 h" under a row's "last used". */
export function RowUseLine({ row, usage, pending }: { row: KeyRow; usage: KeyUsage | null; pending: boolean }) {
  if (row.usage.last7d === 0 && row.triedAfterRevoke === 0) {
    return (
      <span class="use-line">
        <Sparkline valid={[0, 0, 0, 0, 0, 0, 0]} label="Not used in the last 7 days" />
      </span>
    );
  }
  const count = <span class="use-count">{formatCount(row.usage.last24h)} in 24 h</span>;
  if (!usage) {
    return (
      <span class="use-line">
        {pending ? <span class="sparkline-placeholder" aria-hidden="true" /> : null}
        {count}
      </span>
    );
  }
  const valid = usage.buckets.map((b) => b.valid);
  const failed = usage.buckets.map((b) => failedTotal(b.failed));
  const denied = usage.buckets.map((b) => deniedTotal(b.denied));
  const days = usage.buckets.map(
    (b, i) => `${bucketLabel(b.at, 'day')} ${formatCount(valid[i]!)}${denied[i] ? ` (${formatCount(denied[i]!)} denied)` : ''}${failed[i] ? ` (${formatCount(failed[i]!)} refused)` : ''}`,
  );
  return (
    <span class="use-line">
      <Sparkline valid={valid} failed={failed} label={`Valid uses per day, last 7 days: ${days.join(', ')}`} />
      {count}
    </span>
  );
}
