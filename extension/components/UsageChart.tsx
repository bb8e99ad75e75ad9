import type { DeniedCounts, FailedCounts } from '../../shared/schemas/usage';
import { bucketLabel, deniedTotal, failedTotal } from '../lib/usage';
import { formatCount, plural } from '../lib/plural';

export interface ChartBucket {
  at: Date | string;
  valid: number;
  failed: FailedCounts;
  /** Rate-limited, out of credits, or refused by the key's policy; absent from callers that do not have them. */
  denied?: DeniedCounts;
}

/**
 * Valid uses per hour or day as bars, with calls denied by limits or policy stacked on them (amber)
 * and tries of keys that no longer work on top (red). Small inline SVG
 * over the stylesheet's variables (light and dark); one role="img" with a summary for screen
 * readers, and the busiest bucket and both ends of the range as text under it.
 */
export function UsageChart({ buckets, bucket, label, height = 72 }: { buckets: ChartBucket[]; bucket: 'hour' | 'day'; label: string; height?: number }) {
  const bar = 10;
  const gap = 2;
  const width = Math.max(1, buckets.length * (bar + gap) - gap);
  const totals = buckets.map((b) => ({ valid: b.valid, denied: deniedTotal(b.denied), failed: failedTotal(b.failed) }));
  const sumOf = (t: (typeof totals)[number]) => t.valid + t.denied + t.failed;
  const max = Math.max(1, ...totals.map(sumOf));
  const validSum = totals.reduce((n, t) => n + t.valid, 0);
  const deniedSum = totals.reduce((n, t) => n + t.denied, 0);
  const failedSum = totals.reduce((n, t) => n + t.failed, 0);
  const limited = buckets.reduce((n, b) => n + (b.denied?.RATE_LIMITED ?? 0), 0);
  const exhausted = buckets.reduce((n, b) => n + (b.denied?.USAGE_EXCEEDED ?? 0), 0);
  const busiest = totals.reduce((best, t, i) => (sumOf(t) > sumOf(totals[best]!) ? i : best), 0);
  const per = bucket === 'hour' ? 'hour' : 'day';
  // Said only when there were any, so charts of keys without limits read as before.
  const deniedText =
    deniedSum === 0
      ? ''
      : `, ${plural(deniedSum, 'denied call')} (${formatCount(limited)} rate-limited, ${formatCount(exhausted)} out of credits, ${formatCount(deniedSum - limited - exhausted)} refused by policy)`;
  const summary =
    validSum + deniedSum + failedSum === 0
      ? `${label}: no uses.`
      : `${label}: ${plural(validSum, 'valid use')}${deniedText} and ${plural(failedSum, 'refused try', 'refused tries')}; busiest ${per} ${bucketLabel(buckets[busiest]!.at, bucket)} with ${formatCount(totals[busiest]!.valid)} valid${totals[busiest]!.denied ? `, ${formatCount(totals[busiest]!.denied)} denied` : ''} and ${formatCount(totals[busiest]!.failed)} refused.`;
  const y = (v: number) => height - (v / max) * height;
  return (
    <figure class="usage-chart">
      <svg role="img" aria-label={summary} viewBox={`0 0 ${width} ${height}`} preserveAspectRatio="none" width="100%" height={height}>
        <line class="chart-base" x1={0} x2={width} y1={height - 0.5} y2={height - 0.5} />
        {totals.map((t, i) => {
          const x = i * (bar + gap);
          const validTop = y(t.valid);
          const deniedTop = y(t.valid + t.denied);
          const failedTop = y(t.valid + t.denied + t.failed);
          return (
            <g key={i}>
              {t.valid > 0 ? <rect class="chart-valid" x={x} y={validTop} width={bar} height={height - validTop} /> : null}
              {t.denied > 0 ? <rect class="chart-denied" x={x} y={deniedTop} width={bar} height={validTop - deniedTop} /> : null}
              {t.failed > 0 ? <rect class="chart-failed" x={x} y={failedTop} width={bar} height={deniedTop - failedTop} /> : null}
            </g>
          );
        })}
      </svg>
      <figcaption class="chart-axis" aria-hidden="true">
        <span>{buckets[0] ? bucketLabel(buckets[0].at, bucket) : ''}</span>
        <span>
          peak {formatCount(max === 1 && validSum + deniedSum + failedSum === 0 ? 0 : max)} per {per}
        </span>
        <span>{buckets.length ? bucketLabel(buckets[buckets.length - 1]!.at, bucket) : ''}</span>
      </figcaption>
      <p class="chart-legend" aria-hidden="true">
        <span class="swatch swatch-valid" /> valid <span class="swatch swatch-denied" /> denied (rate-limited, out of credits, policy){' '}
        <span class="swatch swatch-failed" /> refused (revoked, disabled, expired)
      </p>
    </figure>
  );
}
