import { useState } from 'preact/hooks';
import { LeakResponseSchema, type LeakResponse } from '../../shared/schemas/leak';
import type { FullTeamSettings } from '../../shared/schemas/team';
import { useApi } from '../hooks/session-context';
import { useAction } from '../hooks/use-async';
import { ProblemBox } from './ProblemBox';

const CHOICES: Record<LeakResponse, string> = {
  revoke: 'Revoke it at once (recommended)',
  disable: 'Disable it (an admin can enable it again)',
  notify: 'Only tell the owner and the admins',
};

/** Settings tab: what a leaked key of the team does when GitHub, a public report or the leak guard finds it. */
export function LeakResponseCard(props: { teamId: string; value: FullTeamSettings; onSaved(s: FullTeamSettings): void }) {
  const api = useApi();
  const action = useAction();
  const current = props.value.leakResponse;
  const [saved, setSaved] = useState<string | null>(null);

  const choose = async (value: string) => {
    const parsed = LeakResponseSchema.safeParse(value);
    if (!parsed.success) return;
    setSaved(null);
    const answer = await action.act(() => api.settings.update.mutate({ teamId: props.teamId, leakResponse: parsed.data }));
    if (answer) {
      props.onSaved(answer.settings);
      setSaved('Saved');
    }
  };

  return (
    <div class="card leak-response">
      <h3>When a key leaks</h3>
      <p class="hint">
        GitHub secret scanning, the public leak report (<span class="mono">POST /v1/leaks/report</span>) and the extension's leak guard report keys found in
        public. The owner and every admin are always told where it was found.
      </p>
      <label class="field field-inline">
        <span>A leaked key of this team:</span>
        <select name="leakResponse" value={current} disabled={action.busy} onChange={(e) => void choose(e.currentTarget.value)}>
          {(Object.keys(CHOICES) as LeakResponse[]).map((c) => (
            <option key={c} value={c}>
              {CHOICES[c]}
            </option>
          ))}
        </select>
        {saved ? (
          <span class="saved" role="status">
            {saved}
          </span>
        ) : null}
      </label>
      {action.problem ? <ProblemBox problem={action.problem} /> : null}
    </div>
  );
}
