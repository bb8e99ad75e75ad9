import { browser } from 'wxt/browser';

/** What every page shows without a session: why, and the way to the sign-in form. */
export function SignedOut({ reason }: { reason: 'expired' | 'signed_out' | null }) {
  return (
    <section class="signed-out" aria-labelledby="signed-out-title">
      <h2 id="signed-out-title">{reason === 'expired' ? 'Your session has expired' : 'You are signed out'}</h2>
      <p>{reason === 'expired' ? 'Sign in again to see your keys and alerts.' : 'Sign in with your work email to see your keys and alerts.'}</p>
      <button type="button" class="btn btn-primary" onClick={() => void browser.runtime.openOptionsPage()}>
        Sign in
      </button>
    </section>
  );
}
