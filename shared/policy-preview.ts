import { formatCount, pick, plural } from './plural';

/**
 * The words of a restrictions preview (keys.previewRestrictions), in one home so every place that
 * shows one says the same: "12 of the 3,410 verifications in the last 30 days would have been
 * refused: 198.51.100.7 ×12". The type is structural so this file needs no schema.
 */
export interface PreviewFacts {
  days: number;
  total: number;
  wouldRefuse: number;
  samples: { ip?: string; origin?: string; permissions?: string; count: number }[];
  unrecorded?: number;
}

/** How many refused combinations the sentence names before "and N more". */
const NAMED = 5;

/** One refused combination: "198.51.100.7 ×12", "198.51.100.7 at https://app.example.com asking docs.write ×3". */
export function describeSample(sample: PreviewFacts['samples'][number]): string {
  const parts = [sample.ip ?? (sample.origin === undefined && sample.permissions === undefined ? 'no address' : null), sample.origin ? `at ${sample.origin}` : null, sample.permissions ? `asking ${sample.permissions}` : null];
  return `${parts.filter(Boolean).join(' ')} ×${formatCount(sample.count)}`;
}

export function describeRestrictionsPreview(p: PreviewFacts): string {
  const period = `in the last ${plural(p.days, 'day')}`;
  const n = p.unrecorded ?? 0;
  const unrecorded = n > 0 ? ` Usage did not keep the details of ${plural(n, 'more verification')}, so ${pick(n, 'it is', 'they are')} not counted.` : '';
  if (p.total === 0) return `No verifications of this key ${period} to compare with.${unrecorded}`;
  const of = p.total === 1 ? `The one verification ${period}` : `of the ${plural(p.total, 'verification')} ${period}`;
  if (p.wouldRefuse === 0) return `${p.total === 1 ? `${of} would not` : `None ${of} would`} have been refused.${unrecorded}`;
  const named = p.samples.slice(0, NAMED).map(describeSample);
  const more = p.samples.length > NAMED ? `, and ${plural(p.samples.length - NAMED, 'other caller')}` : '';
  const head = p.total === 1 ? of : `${formatCount(p.wouldRefuse)} ${of}`;
  return `${head} would have been refused: ${named.join(', ')}${more}.${unrecorded}`;
}
