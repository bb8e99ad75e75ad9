import { useState } from 'preact/hooks';
import { isAdminRole } from '../../../shared/schemas/common';
import { Loading } from '../../components/Loading';
import { SignedOut } from '../../components/SignedOut';
import { TeamSwitcher } from '../../components/TeamSwitcher';
import { useSession } from '../../hooks/use-session';
import { roleLabel } from '../../lib/format';
import { AuditTab } from './AuditTab';
import { KeysTab } from './KeysTab';
import { MembersTab } from './MembersTab';
import { MemberView } from './MemberView';
import { SettingsTab } from './SettingsTab';

const TABS = [
  { id: 'keys', label: 'Keys' },
  { id: 'settings', label: 'Settings' },
  { id: 'members', label: 'Members' },
  { id: 'audit', label: 'Audit log' },
] as const;
type TabId = (typeof TABS)[number]['id'];

/** The full-tab dashboard: admins manage the team; members see their own keys and why. */
export function App() {
  const { ready, session, team, api, signOutReason } = useSession();
  const [tab, setTab] = useState<TabId>('keys');

  return (
    <div class="dashboard">
      <header class="topbar">
        <h1>Keywarden</h1>
        {session ? (
          <>
            <TeamSwitcher session={session} team={team} />
            {team ? <span class="chip">{roleLabel(team.role)}</span> : null}
            <span class="spacer" />
            <span class="muted">{session.user.email}</span>
          </>
        ) : null}
      </header>
      <main class="page">
        {!ready ? (
          <Loading />
        ) : !session || !api ? (
          <SignedOut reason={signOutReason} />
        ) : !team ? (
          <p class="empty">You are not in any team yet. Ask a team admin to add {session.user.email}.</p>
        ) : !isAdminRole(team.role) ? (
          <MemberView key={team.teamId} api={api} team={team} serverUrl={session.serverUrl} />
        ) : (
          <>
            <nav class="tabs" role="tablist" aria-label="Dashboard sections">
              {TABS.map((t) => (
                <button key={t.id} type="button" role="tab" id={`tab-${t.id}`} aria-selected={tab === t.id} aria-controls={`panel-${t.id}`} class="tab" onClick={() => setTab(t.id)}>
                  {t.label}
                </button>
              ))}
            </nav>
            <div role="tabpanel" id={`panel-${tab}`} aria-labelledby={`tab-${tab}`} key={`${team.teamId}-${tab}`}>
              {tab === 'keys' ? <KeysTab api={api} session={session} team={team} /> : null}
              {tab === 'settings' ? <SettingsTab api={api} team={team} serverUrl={session.serverUrl} /> : null}
              {tab === 'members' ? <MembersTab api={api} team={team} session={session} /> : null}
              {tab === 'audit' ? <AuditTab api={api} team={team} session={session} /> : null}
            </div>
          </>
        )}
      </main>
    </div>
  );
}
