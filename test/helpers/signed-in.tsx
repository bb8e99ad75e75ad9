import type { ComponentChildren } from 'preact';
import { SessionProvider } from '../../extension/hooks/session-context';
import type { Api } from '../../extension/lib/api';
import type { Session } from '../../extension/lib/storage';

export const TEST_SESSION: Session = { token: 'tok', serverUrl: 'http://kw.test', user: { id: 'usr_me', email: 'me@example.test', name: 'Me' }, teams: [] };

/** A component as a signed-in page renders it: under a SessionProvider with this client. */
export function signedIn(api: Api, ui: ComponentChildren, session: Session = TEST_SESSION) {
  return (
    <SessionProvider api={api} session={session}>
      {ui}
    </SessionProvider>
  );
}
