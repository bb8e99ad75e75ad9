import type { FailedCounts } from '../../shared/schemas/usage';
import { bucketLabel, failedTotal } from '../lib/usage';
import { formatCount, plural } from '../lib/plural';

export interface ChartBucket {
  at: Date | string;
  valid: number;
  failed: FailedCounts;
}

/**
 * Valid uses per hour or day as bars, with refused tries stacked on top in red. Small inline SVG
 * over the stylesheet's variables (light and dark); one role="img" with a summary for screen
 * readers, and the busiest bucket and both ends of the range as text under it.
 */
export function UsageChart({ buckets, bucket, label, height = 72 }: { buckets: ChartBucket[]; bucket: 'hour' | 'day'; label: string; height?: number }) {
  const bar = 10;
  const gap = 2;
  const width = Math.max(1, buckets.length * (bar + gap) - gap);
  const totals = buckets.map((b) => ({ valid: b.valid, failed: failedTotal(b.failed) }));
  const max = Math.max(1, ...totals.map((t) => t.valid + t.failed));
  const validSum = totals.reduce((n, t) => n + t.valid, 0);
  const failedSum = totals.reduce((n, t) => n + t.failed, 0);
  const busiest = totals.reduce((best, t, i) => (t.valid + t.failed > totals[best]!.valid + totals[best]!.failed ? i : best), 0);
  const per = bucket === 'hour' ? 'hour' : 'day';
  const summary =
    validSum + failedSum === 0
      ? `${label}: no uses.`
      : `${label}: ${plural(validSum, 'valid use')} and ${plural(failedSum, 'refused try', 'refused tries')}; busiest ${per} ${bucketLabel(buckets[busiest]!.at, bucket)} with ${formatCount(totals[busiest]!.valid)} valid and ${formatCount(totals[busiest]!.failed)} refused.`;
  const y = (v: number) => height - (v / max) * height;
  return (
    <figure class="usage-chart">
      <svg role="img" aria-label={summary} viewBox={`0 0 ${width} ${height}`} preserveAspectRatio="none" width="100%" height={height}>
        <line class="chart-base" x1={0} x2={width} y1={height - 0.5} y2={height - 0.5} />
        {totals.map((t, i) => {
          const x = i * (bar + gap);
          const validTop = y(t.valid);
          const failedTop = y(t.valid + t.failed);
          return (
            <g key={i}>
              {t.valid > 0 ? <rect class="chart-valid" x={x} y={validTop} width={bar} height={height - validTop} /> : null}
              {t.failed > 0 ? <rect class="chart-failed" x={x} y={failedTop} width={bar} height={validTop - failedTop} /> : null}
            </g>
          );
        })}
      </svg>
      <figcaption class="chart-axis" aria-hidden="true">
        <span>{buckets[0] ? bucketLabel(buckets[0].at, bucket) : ''}</span>
        <span>
          peak {formatCount(max === 1 && validSum + failedSum === 0 ? 0 : max)} per {per}
        </span>
        <span>{buckets.length ? bucketLabel(buckets[buckets.length - 1]!.at, bucket) : ''}</span>
      </figcaption>
      <p class="chart-legend" aria-hidden="true">
        <span class="swatch swatch-valid" /> valid <span class="swatch swatch-failed" /> refused (revoked, disabled, expired)
      </p>
    </figure>
  );
}
