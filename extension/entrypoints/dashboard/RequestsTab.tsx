import { useState } from 'preact/hooks';
import type { KeyRequestState } from '../../../shared/schemas/lifecycle';
import { KeyRequestList } from '../../components/KeyRequests';
import type { SessionTeam } from '../../lib/storage';

/** Key requests of the team: pending first by default; approved and denied ones for the record. */
export function RequestsTab({ team }: { team: SessionTeam }) {
  const [state, setState] = useState<KeyRequestState | ''>('pending');
  return (
    <section aria-labelledby="requests-heading" class="requests">
      <h2 id="requests-heading">Key requests</h2>
      <p class="hint">While members may not generate keys themselves, they ask here. An approval lets the member generate one key within 7 days; the key is shown only to them.</p>
      <label class="field filter-group">
        <span>Show</span>
        <select name="state" value={state} onChange={(e) => setState(e.currentTarget.value as KeyRequestState | '')}>
          <option value="pending">Waiting</option>
          <option value="approved">Approved</option>
          <option value="denied">Denied</option>
          <option value="">All</option>
        </select>
      </label>
      <KeyRequestList key={state} teamId={team.teamId} state={state || undefined} emptyText={state === 'pending' ? 'No key requests waiting.' : 'No key requests.'} />
    </section>
  );
}
