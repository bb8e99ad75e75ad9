import { browser } from 'wxt/browser';
import { AlertPrefs } from '../../components/AlertPrefs';
import { LeakGuardSettings } from '../../components/LeakGuardSettings';
import { Loading } from '../../components/Loading';
import { ServerForm } from '../../components/ServerForm';
import { SignInForm } from '../../components/SignInForm';
import { TeamSwitcher } from '../../components/TeamSwitcher';
import { useSession } from '../../hooks/use-session';
import { isAdminRole } from '../../../shared/schemas/common';
import { endSession } from '../../lib/storage';

/** Server URL, sign-in by emailed code, sign-out, team switcher, alert preferences. */
export function App() {
  const { ready, session, settings, team, signOutReason, api } = useSession();
  if (!ready) {
    return (
      <main class="page page-narrow">
        <Loading />
      </main>
    );
  }

  const signOut = async () => {
    // The local sign-out must not depend on the server being up.
    await api?.auth.logout.mutate().catch(() => {});
    await endSession('signed_out');
  };

  return (
    <main class="page page-narrow">
      <header class="page-header">
        <h1>Keywarden</h1>
        <p class="hint">API keys for your team: alerts, quick revoke, and the admin dashboard.</p>
      </header>
      <ServerForm serverUrl={settings.serverUrl} session={session} />
      {session ? (
        <section class="card" aria-labelledby="account-title">
          <h2 id="account-title">Account</h2>
          <p class="signed-in">
            Signed in as <strong>{session.user.email}</strong>
          </p>
          {session.teams.length === 0 ? (
            <p class="notice">You are not a member of any team yet. Ask a team admin to add {session.user.email}.</p>
          ) : (
            <div class="field field-inline">
              <span>Team</span>
              <TeamSwitcher session={session} team={team} />
            </div>
          )}
          <div class="row">
            {team && isAdminRole(team.role) ? (
              <button type="button" class="btn" onClick={() => void browser.tabs.create({ url: browser.runtime.getURL('/dashboard.html') })}>
                Open dashboard
              </button>
            ) : null}
            <button type="button" class="btn btn-danger-outline" onClick={() => void signOut()}>
              Sign out
            </button>
          </div>
        </section>
      ) : (
        <SignInForm serverUrl={settings.serverUrl} reason={signOutReason} />
      )}
      <AlertPrefs settings={settings} />
      <LeakGuardSettings serverUrl={session?.serverUrl ?? settings.serverUrl} />
      <p class="hint footnote">
        Your session token stays in this browser's storage for Keywarden, which web pages and other extensions cannot read.
      </p>
    </main>
  );
}
