/**
 * A 7-day line of valid uses (and of refused ones, in red, when there were any), small enough for
 * a table cell. Colours come from the stylesheet's variables, so it reads in light and dark mode;
 * `label` is what screen readers get instead of the picture.
 */
export function Sparkline({ valid, failed, label, width = 64, height = 18 }: { valid: number[]; failed?: number[]; label: string; width?: number; height?: number }) {
  const max = Math.max(1, ...valid, ...(failed ?? []));
  const pad = 2;
  const points = (values: number[]) =>
    values
      .map((v, i) => {
        const x = values.length === 1 ? width / 2 : pad + (i * (width - 2 * pad)) / (values.length - 1);
        const y = height - pad - (v / max) * (height - 2 * pad);
        return `${x.toFixed(1)},${y.toFixed(1)}`;
      })
      .join(' ');
  const anyFailed = failed?.some((v) => v > 0);
  return (
    <svg class="sparkline" role="img" aria-label={label} width={width} height={height} viewBox={`0 0 ${width} ${height}`}>
      <title>{label}</title>
      <line class="spark-base" x1={pad} x2={width - pad} y1={height - pad} y2={height - pad} />
      {valid.some((v) => v > 0) ? <polyline class="spark-valid" points={points(valid)} /> : null}
      {anyFailed ? <polyline class="spark-failed" points={points(failed!)} /> : null}
    </svg>
  );
}
