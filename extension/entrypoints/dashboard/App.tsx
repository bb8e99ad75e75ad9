import { useRef, useState } from 'preact/hooks';
import { isAdminRole } from '../../../shared/schemas/common';
import { Loading } from '../../components/Loading';
import { SignedOut } from '../../components/SignedOut';
import { ConnectionBanner } from '../../components/ConnectionBanner';
import { TeamSwitcher } from '../../components/TeamSwitcher';
import { SessionProvider } from '../../hooks/session-context';
import { useSession } from '../../hooks/use-session';
import { roleLabel } from '../../lib/format';
import type { SessionTeam } from '../../lib/storage';
import { AuditTab } from './AuditTab';
import { KeysTab } from './KeysTab';
import { MembersTab } from './MembersTab';
import { MemberView } from './MemberView';
import { SettingsTab } from './SettingsTab';
import { RequestsTab } from './RequestsTab';
import { WebhooksTab } from './WebhooksTab';
import { TokensTab } from './TokensTab';

const TABS = [
  { id: 'keys', label: 'Keys' },
  { id: 'settings', label: 'Settings' },
  { id: 'members', label: 'Members' },
  { id: 'requests', label: 'Requests' },
  { id: 'webhooks', label: 'Webhooks' },
  { id: 'tokens', label: 'API tokens' },
  { id: 'audit', label: 'Audit log' },
] as const;
type TabId = (typeof TABS)[number]['id'];

/** Which tab an arrow, Home or End key moves to from `index` (WAI-ARIA tabs: wraps around); null for other keys. */
function tabKeyTarget(key: string, index: number, count: number): number | null {
  if (key === 'ArrowRight') return (index + 1) % count;
  if (key === 'ArrowLeft') return (index - 1 + count) % count;
  if (key === 'Home') return 0;
  if (key === 'End') return count - 1;
  return null;
}

/** The full-tab dashboard: admins manage the team; members see their own keys and why. */
export function App() {
  const { ready, session, team, api, signOutReason } = useSession();
  const [tab, setTab] = useState<TabId>('keys');
  const tabRefs = useRef<(HTMLButtonElement | null)[]>([]);
  // Roving tabindex: Tab reaches the selected tab only; arrows move between tabs and select as they go.
  const onTabKey = (e: KeyboardEvent, index: number) => {
    const target = tabKeyTarget(e.key, index, TABS.length);
    if (target === null) return;
    e.preventDefault();
    setTab(TABS[target]!.id);
    tabRefs.current[target]?.focus();
  };

  return (
    <div class="dashboard">
      <header class="topbar">
        <h1>Keywarden</h1>
        {session ? (
          <>
            <TeamSwitcher session={session} team={team} />
            {team ? <span class="chip">{roleLabel(team.role)}</span> : null}
            <span class="spacer" />
            <span class="muted user-email" title={session.user.email}>
              {session.user.email}
            </span>
          </>
        ) : null}
      </header>
      <main class="page">
        {!ready ? (
          <Loading />
        ) : !session || !api ? (
          <SignedOut reason={signOutReason} />
        ) : (
          <SessionProvider api={api} session={session}>
            <ConnectionBanner>
              {!team ? (
                <p class="empty">You are not in any team yet. Ask a team admin to add {session.user.email}.</p>
              ) : !isAdminRole(team.role) ? (
                <MemberView key={team.teamId} team={team} />
              ) : (
                <>
                  <div class="tabs" role="tablist" aria-label="Dashboard sections">
                    {TABS.map((t, i) => (
                      <button
                        key={t.id}
                        ref={(el) => void (tabRefs.current[i] = el)}
                        type="button"
                        role="tab"
                        id={`tab-${t.id}`}
                        aria-selected={tab === t.id}
                        aria-controls={`panel-${t.id}`}
                        tabIndex={tab === t.id ? 0 : -1}
                        class="tab"
                        onClick={() => setTab(t.id)}
                        onKeyDown={(e) => onTabKey(e, i)}
                      >
                        {t.label}
                      </button>
                    ))}
                  </div>
                  {/* Every panel exists, so each tab's aria-controls names a real element; only the selected one is filled. */}
                  {TABS.map((t) => (
                    <div key={t.id} role="tabpanel" id={`panel-${t.id}`} aria-labelledby={`tab-${t.id}`} tabIndex={0} hidden={tab !== t.id}>
                      {tab === t.id ? <TabContent key={`${team.teamId}-${t.id}`} tab={t.id} team={team} /> : null}
                    </div>
                  ))}
                </>
              )}
            </ConnectionBanner>
          </SessionProvider>
        )}
      </main>
    </div>
  );
}

/** One tab's content, mounted fresh on each visit and on a team switch (its `key`). */
function TabContent({ tab, team }: { tab: TabId; team: SessionTeam }) {
  if (tab === 'keys') return <KeysTab team={team} />;
  if (tab === 'settings') return <SettingsTab team={team} />;
  if (tab === 'members') return <MembersTab team={team} />;
  if (tab === 'requests') return <RequestsTab team={team} />;
  if (tab === 'webhooks') return <WebhooksTab team={team} />;
  if (tab === 'tokens') return <TokensTab team={team} />;
  return <AuditTab team={team} />;
}
