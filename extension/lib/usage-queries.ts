import type { KeyFilters } from '../../shared/schemas/key';
import type { Api } from './api';
import { readPages } from './pages';
import { formatCount, pick, plural } from './plural';
import { selectionUse } from './usage';

/** The usage reads behind the revoke and disable questions; each resolves to the sentence to show. */

/** One key, or the ticked ones (up to 1,000, the API's bulk limit): keys.usageSummary. */
export async function selectedImpact(api: Pick<Api, 'keys'>, teamId: string, keyIds: string[]): Promise<string | null> {
  if (keyIds.length === 0) return null;
  return selectionUse(await api.keys.usageSummary.query({ teamId, keyIds }), keyIds.length);
}

/** How many matching keys are read at most; past that the sentence says how many were checked. */
export const MATCHING_CHECKED = 1000;

/**
 * "Select all N matching": the list API has no usage filter, so the matching keys are read a page
 * at a time (their rows carry the server's 24 h counts), newest first, up to MATCHING_CHECKED.
 * Revoked keys are not counted: a matching action leaves them as they are.
 */
export async function matchingImpact(api: Pick<Api, 'keys'>, filters: KeyFilters, total: number): Promise<string> {
  const { items, cursor } = await readPages((after) => api.keys.list.query({ ...filters, sort: 'newest', cursor: after, limit: 100 }), (rows) => rows.length >= MATCHING_CHECKED);
  const checked = items.length;
  const live = items.filter((row) => row.status !== 'revoked' && row.usage.last24h > 0);
  const used = live.length;
  const uses = live.reduce((sum, row) => sum + row.usage.last24h, 0);
  const together = used > 0 ? ` (${plural(uses, 'use')}${used > 1 ? ' together' : ''})` : '';
  const were = pick(used, 'was', 'were');
  if (cursor) return `${formatCount(used)} of the newest ${formatCount(checked)} of the ${formatCount(total)} matching keys ${were} used in the last 24 h${together}; the others were not checked.`;
  if (used === 0) return `None of the ${plural(total, 'matching key')} ${pick(total, 'was', 'were')} used in the last 24 h.`;
  return `${formatCount(used)} of the ${plural(total, 'matching key')} ${were} used in the last 24 h${together}.`;
}

/** Revoke All: the team's last 24 h from usage.overview (admins), and its most used keys that still work. */
export async function teamImpact(api: Pick<Api, 'usage'>, teamId: string): Promise<string> {
  const o = await api.usage.overview.query({ teamId, range: '24h' });
  if (o.keysUsed === 0) return 'No key of the team was used in the last 24 h.';
  const top = o.topKeys.filter((k) => k.status !== 'revoked' && k.valid > 0).slice(0, 3);
  const most = top.length ? ` Most used: ${top.map((k) => `“${k.name}” (${formatCount(k.valid)})`).join(', ')}.` : '';
  return `${plural(o.keysUsed, 'key')} of the team ${pick(o.keysUsed, 'was', 'were')} used in the last 24 h, ${plural(o.totals.valid, 'time')} in all.${most}`;
}
