/** Summaries of bench/dashboard.bench.ts's results (split from it to keep it short). */
export interface Result {
  teamKeys: number;
  otherKeys: number;
  baseline: { ms: number };
  scenarios: Record<string, { ms: number; timesBaseline: number; timesPage1: number; legacyMs: number | null; speedup: number | null }>;
}

export function flatnessOf(rs: Result[], SIZES: number[], target: Result) {
  const largest = Math.max(...SIZES);
  // Issue 23: each scenario's time at the largest team over its time at the smallest, both beside OTHERS keys of other teams.
  const smallest = rs.find((r) => r.teamKeys === Math.min(...SIZES) && r.otherKeys === target.otherKeys)!;
  const flat = (name: string) => +(target.scenarios[name]!.ms / smallest.scenarios[name]!.ms).toFixed(2);
  const flatness = {
    about: `time at ${largest} team keys / time at ${smallest.teamKeys}, each beside ${target.otherKeys} keys of other teams`,
    page1: flat('page1'),
    page_later: flat('page_later'),
    sort_oldest: flat('sort_oldest'),
    sort_recently_used: flat('sort_recently_used'),
    owner: flat('owner'),
    search_text: flat('search_text'),
    usage_one_key: flat('usage_one_key'),
    page1TimesBaselineAtLargest: target.scenarios.page1!.timesBaseline,
  };
  return flatness;
}

/**
 * The largest team whose call stays under half a second beside OTHERS keys of
 * other teams: interpolated between the two measured sizes around the crossing
 * (cost grows with the team, a little faster than linearly, so this errs low).
 */
export function largestUnderHalfSecond(rs: Result[], scenario: string, OTHERS: number, HALF_SECOND: number): { keys: number; basis: string } {
  // The calls that recount the scope are not measured at every size.
  const pts = rs.filter((r) => r.otherKeys === OTHERS && r.scenarios[scenario]).map((r) => [r.teamKeys, r.scenarios[scenario]!.ms] as const).sort((a, b) => a[0] - b[0]);
  if (pts[0]![1] >= HALF_SECOND) return { keys: 0, basis: `over 0.5 s already at ${pts[0]![0]} keys` };
  const crossing = pts.findIndex(([, ms]) => ms >= HALF_SECOND);
  if (crossing < 0) return { keys: pts.at(-1)![0], basis: 'under 0.5 s at every measured size' };
  const [[x0, y0], [x1, y1]] = [pts[crossing - 1]!, pts[crossing]!];
  return { keys: Math.floor((x0 + ((HALF_SECOND - y0) * (x1 - x0)) / (y1 - y0)) / 100) * 100, basis: `interpolated between ${x0} and ${x1} keys` };
}

