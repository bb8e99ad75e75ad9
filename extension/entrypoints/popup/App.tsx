import { useState } from 'preact/hooks';
import { browser } from 'wxt/browser';
import { isAdminRole } from '../../../shared/schemas/common';
import { ConnectionBanner } from '../../components/ConnectionBanner';
import { Loading } from '../../components/Loading';
import { SignedOut } from '../../components/SignedOut';
import { TeamSwitcher } from '../../components/TeamSwitcher';
import { SessionProvider } from '../../hooks/session-context';
import { useSession } from '../../hooks/use-session';
import { AdminTools } from './AdminTools';
import { Alerts } from './Alerts';
import { Invitations } from './Invitations';
import { MyKeysSection } from './MyKeysSection';
import { PendingRequests } from './PendingRequests';

const openOptions = () => void browser.runtime.openOptionsPage();

/**
 * The toolbar popup. It renders from extension storage at once and fires its
 * queries in parallel, so each section fills in as soon as its answer lands.
 */
export function App() {
  const { ready, session, team, api, signOutReason } = useSession();
  // Sections are siblings: a key generated in "My keys" or revoked in the lookup must reload the admin counts.
  const [keysVersion, setKeysVersion] = useState(0);
  const keysChanged = () => setKeysVersion((v) => v + 1);
  return (
    <main class="popup">
      <header class="popup-header">
        <h1>Keywarden</h1>
        {session ? <TeamSwitcher session={session} team={team} /> : null}
        <button type="button" class="btn btn-icon" onClick={openOptions} aria-label="Settings" title="Settings">
          ⚙
        </button>
      </header>
      {!ready ? (
        <Loading />
      ) : !session || !api ? (
        <SignedOut reason={signOutReason} />
      ) : (
        <SessionProvider api={api} session={session}>
          <ConnectionBanner>
            <Invitations />
            <Alerts />
            {!team ? (
              <p class="empty">You are not in any team yet. Ask a team admin to add {session.user.email}: their invitation appears here.</p>
            ) : (
              <>
                {isAdminRole(team.role) ? <AdminTools key={team.teamId} teamId={team.teamId} keysVersion={keysVersion} onChanged={keysChanged} /> : null}
                {isAdminRole(team.role) ? <PendingRequests key={`requests-${team.teamId}`} teamId={team.teamId} /> : null}
                <MyKeysSection key={team.teamId} team={team} onChanged={keysChanged} />
              </>
            )}
          </ConnectionBanner>
        </SessionProvider>
      )}
    </main>
  );
}
