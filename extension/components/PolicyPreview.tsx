import type { PolicyPreview as Preview } from '../../shared/schemas/team';
import { formatCount, pick, plural } from '../lib/plural';

/** "all of them expire", "it expires", "2 of them expire": the keys that end at once, among those that change. */
function atOnce(changed: number, expireNow: number): string {
  if (expireNow === changed) return changed === 1 ? 'it expires' : 'all of them expire';
  return `${formatCount(expireNow)} of them ${pick(expireNow, 'expires', 'expire')}`;
}

/** What an expiry policy would do, before it does it: how many keys, and whose. */
export function PolicyPreview({ preview, days }: { preview: Preview; days: number | null }) {
  if (days === null) return <p class="hint">Removing the limit changes no existing key: expiries already set stay as they are.</p>;
  if (preview.changed === 0 && preview.expireNow === 0) return <p class="notice">No existing key is affected: every key already expires within {plural(days, 'day')} of its creation.</p>;
  return (
    <div class="preview" role="status" aria-labelledby="preview-title">
      <p id="preview-title">
        <strong>{plural(preview.changed, 'key')}</strong> will get an earlier expiry
        {preview.expireNow > 0 ? (
          <>
            , and <strong class="danger-text">{atOnce(preview.changed, preview.expireNow)} at once</strong> (older than {plural(days, 'day')})
          </>
        ) : null}
        .
      </p>
      {preview.byOwner.length > 0 ? (
        <table class="compact">
          <caption class="sr-only">Affected keys by owner</caption>
          <thead>
            <tr>
              <th scope="col">Owner</th>
              <th scope="col">Earlier expiry</th>
              <th scope="col">Expire at once</th>
            </tr>
          </thead>
          <tbody>
            {preview.byOwner.map((o) => (
              <tr key={o.userId}>
                <td>{o.email}</td>
                <td>{o.changed}</td>
                <td>{o.expireNow}</td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : null}
    </div>
  );
}
