import { formatCount } from '../lib/format';

/** "1,200 of 2,000 keys done" with a bar, for a bulk action that takes a while (announced politely). */
export function ProgressLine({ done, total }: { done: number; total: number }) {
  const text = `${formatCount(done)} of ${formatCount(total)} keys done`;
  return (
    <p class="action-progress" role="status" aria-live="polite">
      <progress max={total} value={done} aria-label={text} /> {text}
    </p>
  );
}
