import type { Session, SessionTeam } from '../lib/storage';
import { updateSettings } from '../lib/storage';
import { roleLabel } from '../lib/format';

/** Picks the team the popup and dashboard show; the choice is a setting, so all pages follow. */
export function TeamSwitcher({ session, team }: { session: Session; team: SessionTeam | null }) {
  if (session.teams.length <= 1)
    return team ? (
      <span class="team-name" title={team.name}>
        {team.name}
      </span>
    ) : null;
  return (
    <label class="team-switcher">
      <span class="sr-only">Team</span>
      <select value={team?.teamId} onChange={(e) => void updateSettings({ teamId: e.currentTarget.value })}>
        {session.teams.map((t) => (
          <option key={t.teamId} value={t.teamId}>
            {t.name} ({roleLabel(t.role)})
          </option>
        ))}
      </select>
    </label>
  );
}
